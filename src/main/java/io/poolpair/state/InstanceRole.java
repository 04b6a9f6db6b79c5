package io.poolpair.state;

/**
 * Whether this process is its pool's active instance (the one doing the work; always, for a single instance). The
 * cluster election that decides it is runtime/ActiveInstance; status reads it through this view.
 */
@FunctionalInterface
public interface InstanceRole {
    boolean active();
}
