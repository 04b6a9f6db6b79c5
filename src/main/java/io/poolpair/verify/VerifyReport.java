package io.poolpair.verify;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;

/**
 * What {@code verify} found: per module and table, the buckets ("chunks") and rows compared, the rows that differ
 * (by key, with the pool that owns the row, what is wrong and on which pool), and the rows in flight. With
 * {@code --repair --wait}, {@code afterRepair} is the verification run once the repair was acknowledged.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record VerifyReport(String pool, String peer, Instant at, boolean repair, List<ModuleResult> modules,
                           List<ModuleResult> afterRepair) {

    /** {@code kind}: {@code missing} (the owner has it, {@code wrongOn} lacks it), {@code extra} ({@code wrongOn}
     * holds a row its owner does not have) or {@code different}. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Difference(String table, String key, String owner, String kind, String wrongOn) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TableResult(String table, long chunksCompared, long chunksDiffering, long rowsHere, long rowsPeer,
                              long differences, long inFlight, boolean tooManyToList, List<Difference> differingRows,
                              List<String> inFlightKeys) {
    }

    /** {@code result}: {@code equal}, {@code differ}, or {@code incomplete} (too many differences to list). */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ModuleResult(String module, String result, Instant verifiedAt, long seconds, long chunksCompared,
                               long rowsCompared, long differences, long inFlight, long repairQueued, long repairLeftToPeer,
                               List<TableResult> tables) {
    }

    static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    /** The verification that counts: after the repair when one was waited for. */
    public List<ModuleResult> last() {
        return afterRepair != null ? afterRepair : modules;
    }

    public boolean equal() {
        return last().stream().allMatch(m -> m.result().equals("equal"));
    }

    public String toJson() {
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static VerifyReport fromJson(String json) {
        try {
            return JSON.readValue(json, VerifyReport.class);
        } catch (IOException e) {
            throw new UncheckedIOException("the service's answer is not a verification report: " + e.getMessage(), e);
        }
    }

    /** The report for a person. */
    public void print(PrintWriter out) {
        out.printf("Verification of %s against %s%n", pool, peer);
        print(out, modules);
        if (afterRepair != null) {
            out.println();
            out.println("After the repair was acknowledged:");
            print(out, afterRepair);
        }
    }

    private void print(PrintWriter out, List<ModuleResult> results) {
        for (ModuleResult m : results) {
            out.printf("  %s: %s — %d row(s) in %d chunk(s) compared, %d differ, %d in flight (%d s)%n", m.module(), m.result(),
                    m.rowsCompared(), m.chunksCompared(), m.differences(), m.inFlight(), m.seconds());
            for (TableResult t : m.tables()) {
                out.printf("    %-24s rows here %d, on %s %d; chunks %d (%d differ); %d differ, %d in flight%s%n", t.table(),
                        t.rowsHere(), peer, t.rowsPeer(), t.chunksCompared(), t.chunksDiffering(), t.differences(), t.inFlight(),
                        t.tooManyToList() ? "; too many differences to list: run sync --full on the owning pool" : "");
                for (Difference d : t.differingRows()) {
                    out.printf("      %-9s %s (owner %s, wrong on %s)%n", d.kind(), d.key(), d.owner(), d.wrongOn());
                }
            }
            if (m.repairQueued() > 0) {
                out.printf("    repair: %d row(s) of %s queued for export to %s%n", m.repairQueued(), pool, peer);
            }
            if (m.repairLeftToPeer() > 0) {
                out.printf("    %d differing row(s) are owned by %s: run verify --repair there%n", m.repairLeftToPeer(), peer);
            }
        }
    }
}
