package io.poolpair.store;

/** One column of a replicated table as this pool's database describes it. */
public record Column(String name, int jdbcType, String typeName, boolean nullable) {
}
