package io.poolpair.bench;

import io.poolpair.store.Dialect;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;

/**
 * PostgreSQL's own logical replication of the same changes, for comparison: a publication of
 * {@code user_contact} in one database and a subscription in another database of the same cluster (the slot
 * is created by hand, as a subscription inside one cluster cannot create its own). N rows are committed on the
 * publisher in one transaction (nothing is sent before the commit) and timed from the commit until the
 * subscriber holds them all. (Disabling the subscription to build a backlog, as poolpair's changes wait for the
 * next cycle, would add the apply worker's start-up of about 5 s to each figure.)
 */
final class LogicalReplication {

    private final Figures figures;
    private final Progress progress;

    LogicalReplication(Figures figures, Progress progress) {
        this.figures = figures;
        this.progress = progress;
    }

    static String id(long n) {
        return "pg-logical-" + n;
    }

    /** Work done with a subscription in place: rows committed on the publisher arrive on the subscriber. */
    interface SubscriptionWork {
        void run(Connection publisher, Connection subscriber) throws Exception;
    }

    /**
     * Creates a publisher and a subscriber database with the demo schema in the store's cluster, a publication of
     * {@code user_contact} and a subscription to it, runs {@code work}, and drops the subscription (and its slot).
     */
    static void withSubscription(BenchStore store, SubscriptionWork work) throws Exception {
        LocalPostgres server = store.server();
        try (Connection publisher = store.plainDatabase("lr_pub"); Connection subscriber = store.plainDatabase("lr_sub")) {
            String pubDb = publisher.getCatalog();
            try (Statement st = publisher.createStatement()) {
                st.execute("CREATE PUBLICATION pp_bench FOR TABLE user_contact");
                st.execute("SELECT pg_create_logical_replication_slot('pp_bench_" + pubDb + "', 'pgoutput')");
            }
            try (Statement st = subscriber.createStatement()) {
                st.execute("CREATE SUBSCRIPTION pp_bench_" + pubDb + " CONNECTION 'host=127.0.0.1 port=" + server.port()
                        + " dbname=" + pubDb + " user=" + server.user() + "' PUBLICATION pp_bench WITH (create_slot = false,"
                        + " slot_name = 'pp_bench_" + pubDb + "', copy_data = false)");
            }
            try {
                work.run(publisher, subscriber);
            } finally {
                try (Statement st = subscriber.createStatement()) {
                    st.execute("DROP SUBSCRIPTION pp_bench_" + pubDb); // also drops the slot on the publisher
                }
            }
        }
    }

    void run(BenchStore store, List<Long> sizes, int runs) throws Exception {
        Dialect dialect = store.dialect();
        withSubscription(store, (publisher, subscriber) -> {
            for (long n : sizes) {
                for (int run = 1; run <= runs; run++) {
                    try (Statement st = publisher.createStatement()) {
                        st.execute("TRUNCATE user_contact");
                    }
                    awaitCount(subscriber, 0);
                    String tag = "l" + n + "r" + run;
                    Workload.write(publisher, dialect, Workload.INSERT, 0, n, false, Long.MAX_VALUE,
                            (ps, i) -> Workload.bindRow(ps, tag, i, 0));
                    long started = System.nanoTime();
                    awaitRow(subscriber, tag, n - 1);
                    long nanos = System.nanoTime() - started;
                    awaitCount(subscriber, n);
                    figures.add(id(n), "PostgreSQL logical replication, " + Progress.count(n) + " changes", "changes/s",
                            store.name(), n / (nanos / 1e9));
                    progress.say("postgresql logical replication %s run %d: %.0f changes/s (%.2f s after the last commit)",
                            Progress.count(n), run, n / (nanos / 1e9), nanos / 1e9);
                }
            }
        });
    }

    /** Waits for the row of the last commit: the subscriber applies transactions in commit order. */
    private static void awaitRow(Connection subscriber, String tag, long i) throws Exception {
        long deadline = System.nanoTime() + 3_600_000_000_000L;
        try (var ps = subscriber.prepareStatement("SELECT 1 FROM user_contact WHERE owner_uri = ? AND contact_uri = ?")) {
            ps.setString(1, Workload.owner(tag, i));
            ps.setString(2, Workload.contact(i));
            while (true) {
                try (var rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the subscriber did not receive row " + i + " within an hour");
                }
                Thread.sleep(5);
            }
        }
    }

    private static void awaitCount(Connection subscriber, long n) throws Exception {
        long deadline = System.nanoTime() + 600_000_000_000L;
        while (Workload.count(subscriber, null) != n) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the subscriber did not reach " + n + " rows within 10 minutes");
            }
            Thread.sleep(5);
        }
    }
}
