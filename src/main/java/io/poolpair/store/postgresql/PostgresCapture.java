package io.poolpair.store.postgresql;

import io.poolpair.batch.Sha256;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Statement-level capture of one replicated table: a trigger function of the table's own
 * ({@code pp_capture_<table>}), which names the key columns and the module literally, called by three
 * {@code AFTER ... FOR EACH STATEMENT} triggers (one per event:
 * PostgreSQL allows transition tables only on a trigger of one event), each writing the keys of every row of its
 * statement with one {@code INSERT INTO pp_change ... SELECT} from the statement's transition table: {@code I},
 * {@code U} (the new keys) or {@code D}. An UPDATE that changes a row's key also records the old key as {@code D},
 * from a row-level trigger whose {@code WHEN} condition PostgreSQL evaluates without calling the function, so an
 * update that keeps its keys pays nothing for it (comparing old and new keys as sets per statement cost more than
 * the whole capture of a one-row UPDATE). A row-level trigger of earlier versions, which captured every row, is
 * dropped here, in the caller's transaction, before its function is replaced.
 *
 * <p>The statements run only when what is installed differs from what this version would install: the function's
 * comment records a digest of them. {@code CREATE OR REPLACE TRIGGER} locks the table against writers (SHARE ROW
 * EXCLUSIVE) even when it changes nothing, so a restart that ran it would wait for every open write transaction on the
 * table and hold the applications' next writes behind itself.
 */
final class PostgresCapture {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresCapture.class);
    /** How long one attempt waits for the table's lock before it lets the writers queued behind it go on. */
    static final int LOCK_ATTEMPT_MS = 2000;
    private static final Duration LOCK_PATIENCE = Duration.ofMinutes(10);
    private static final Duration REPORT_EVERY = Duration.ofSeconds(30);
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private final PostgresDialect dialect;
    private final TableInfo table;
    private final String function;
    private final String keyChange;
    /** The capture triggers (insert, update, delete, key change) and the TRUNCATE refusal. */
    private final List<String> triggers;

    PostgresCapture(PostgresDialect dialect, TableInfo table) {
        this.dialect = dialect;
        this.table = table;
        this.function = dialect.quote(identifier("pp_capture_", table.dbName()));
        this.keyChange = identifier("pp_capture_key_", table.dbName());
        this.triggers = List.of(identifier("pp_capture_ins_", table.dbName()), identifier("pp_capture_upd_", table.dbName()),
                identifier("pp_capture_del_", table.dbName()), keyChange, identifier("pp_refuse_truncate_", table.dbName()));
    }

    /**
     * Installs the capture, or leaves it when it is installed as this version would install it. The DDL waits for the
     * table's open write transactions, and every write asked for meanwhile would queue behind it: so each attempt
     * gives up after {@link #LOCK_ATTEMPT_MS} (back to a savepoint, writers go on) and is tried again a second later,
     * naming the sessions that hold the table, for at most {@link #LOCK_PATIENCE}.
     */
    void install(Connection conn) throws SQLException {
        List<String> ddl = statements();
        String version = "poolpair capture " + HexFormat.of().formatHex(sha256(String.join("\n", ddl)));
        List<Installed> installed = installedTriggers(conn);
        List<String> enabled = installed.stream().filter(Installed::enabled).map(Installed::name).sorted().toList();
        if (version.equals(installedVersion(conn)) && triggers.stream().sorted().toList().equals(enabled)) {
            return;
        }
        // the row-level trigger of an earlier version captured every row: dropped in the transaction that replaces it
        List<String> drops = installed.stream()
                .filter(t -> t.rowLevel() && t.name().startsWith("pp_capture_") && !t.name().equals(keyChange))
                .map(t -> "DROP TRIGGER " + dialect.quote(t.name()) + " ON " + dialect.qualified(table)).toList();
        LOG.info("table {}: installing this version's capture triggers", table.name());
        long deadline = System.nanoTime() + LOCK_PATIENCE.toNanos();
        long nextReport = 0;
        while (true) {
            Savepoint before = conn.setSavepoint();
            try {
                runDdl(conn, drops, ddl, version);
                conn.releaseSavepoint(before);
                return;
            } catch (SQLException e) {
                conn.rollback(before);
                if (!LOCK_NOT_AVAILABLE.equals(e.getSQLState())) {
                    throw e;
                }
                String holders = holders(conn);
                if (System.nanoTime() > deadline) {
                    throw new SQLException("could not lock table " + table.name() + " to install the capture triggers"
                            + " within " + LOCK_PATIENCE.toMinutes() + " minutes: open transactions hold it (" + holders
                            + "); start again once they have ended", e);
                }
                if (System.nanoTime() >= nextReport) {
                    LOG.warn("table {}: the capture triggers wait for open transactions on it ({}); trying again every"
                            + " second (each attempt holds the table's writers up for at most {} ms)", table.name(), holders,
                            LOCK_ATTEMPT_MS);
                    nextReport = System.nanoTime() + REPORT_EVERY.toNanos();
                }
                pause();
            }
        }
    }

    private void runDdl(Connection conn, List<String> drops, List<String> ddl, String version) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SET LOCAL lock_timeout = " + LOCK_ATTEMPT_MS);
            for (String drop : drops) {
                st.execute(drop);
            }
            for (String statement : ddl) {
                st.execute(statement);
            }
            st.execute("COMMENT ON FUNCTION " + function + "() IS " + PostgresDialect.literal(version));
        }
    }

    /** The other sessions holding a lock on the table: pid, since when their transaction runs, and their statement. */
    private String holders(Connection conn) throws SQLException {
        List<String> sessions = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT a.pid, a.state, a.xact_start, left(a.query, 100)"
                + " FROM pg_stat_activity a WHERE a.pid <> pg_backend_pid() AND a.pid IN (SELECT l.pid FROM pg_locks l"
                + " WHERE l.relation = ?::regclass AND l.granted) ORDER BY a.xact_start")) {
            ps.setString(1, dialect.qualified(table));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sessions.add("pid " + rs.getInt(1) + ", " + rs.getString(2) + ", transaction since " + rs.getTimestamp(3)
                            + ": " + rs.getString(4));
                }
            }
        }
        return sessions.isEmpty() ? "none left" : String.join("; ", sessions);
    }

    private static void pause() throws SQLException {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting to install the capture triggers", e);
        }
    }

    /** The function, the capture triggers (in the order of {@link #triggers}) and the refusal of TRUNCATE. */
    private List<String> statements() {
        String change = PostgresDialect.literal(table.module()) + ", " + PostgresDialect.literal(table.name()) + ", ";
        String select = "INSERT INTO pp_change (module, table_name, pk, op) SELECT " + change;
        String on = " ON " + dialect.qualified(table);
        List<String> ddl = new ArrayList<>();
        ddl.add("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $pp$\n"
                + "BEGIN\n"
                + "  IF current_setting('poolpair.applying', true) = 'on' THEN\n"
                + "    RETURN NULL;\n"
                + "  END IF;\n"
                + "  IF TG_LEVEL = 'ROW' THEN\n"
                + "    INSERT INTO pp_change (module, table_name, pk, op) VALUES (" + change + key("OLD") + ", 'D');\n"
                + "  ELSIF TG_OP = 'INSERT' THEN\n"
                + "    " + select + key("n") + ", 'I' FROM pp_new n;\n"
                + "  ELSIF TG_OP = 'UPDATE' THEN\n"
                + "    " + select + key("n") + ", 'U' FROM pp_new n;\n"
                + "  ELSE\n"
                + "    " + select + key("o") + ", 'D' FROM pp_old o;\n"
                + "  END IF;\n"
                + "  RETURN NULL;\n"
                + "END\n"
                + "$pp$");
        String[][] events = {{"INSERT", "NEW TABLE AS pp_new"}, {"UPDATE", "NEW TABLE AS pp_new"},
            {"DELETE", "OLD TABLE AS pp_old"}};
        for (int i = 0; i < events.length; i++) {
            ddl.add("CREATE OR REPLACE TRIGGER " + dialect.quote(triggers.get(i)) + " AFTER " + events[i][0] + on
                    + " REFERENCING " + events[i][1] + " FOR EACH STATEMENT EXECUTE FUNCTION " + function + "()");
        }
        ddl.add("CREATE OR REPLACE TRIGGER " + dialect.quote(triggers.get(3)) + " AFTER UPDATE" + on + " FOR EACH ROW"
                + " WHEN (" + row("OLD") + " IS DISTINCT FROM " + row("NEW") + ") EXECUTE FUNCTION " + function + "()");
        // TRUNCATE fires no row trigger, so it would never reach the peer: refused, unless an import is applied
        ddl.add("CREATE OR REPLACE FUNCTION pp_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $pp$\n"
                + "BEGIN\n"
                + "  IF current_setting('poolpair.applying', true) = 'on' THEN\n"
                + "    RETURN NULL;\n"
                + "  END IF;\n"
                + "  RAISE EXCEPTION 'TRUNCATE of %.% is refused: poolpair replicates this table and a TRUNCATE would"
                + " not reach the paired pool: use DELETE (replicated row by row), or empty the table with DELETE and run"
                + " sync --full to replace this pool''s rows on the paired pool', TG_TABLE_SCHEMA, TG_TABLE_NAME\n"
                + "    USING ERRCODE = '55000';\n"
                + "END\n"
                + "$pp$");
        ddl.add("CREATE OR REPLACE TRIGGER " + dialect.quote(triggers.get(4)) + " BEFORE TRUNCATE" + on
                + " FOR EACH STATEMENT EXECUTE FUNCTION pp_refuse_truncate()");
        return ddl;
    }

    /** What the comment of the capture function says was installed (null: no such function, or no comment). */
    private String installedVersion(Connection conn) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT obj_description(to_regprocedure(?), 'pg_proc')")) {
            ps.setString(1, function + "()");
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** One of poolpair's triggers on the table as installed: a statement- or row-level one, enabled or not. */
    private record Installed(String name, boolean rowLevel, boolean enabled) {
    }

    /** poolpair's triggers on the table (capture and TRUNCATE refusal), of this version or an earlier one. */
    private List<Installed> installedTriggers(Connection conn) throws SQLException {
        List<Installed> installed = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT tgname, (tgtype & 1) = 1, tgenabled <> 'D' FROM pg_trigger"
                + " WHERE tgrelid = ?::regclass AND NOT tgisinternal AND (tgname LIKE 'pp\\_capture\\_%'"
                + " OR tgname LIKE 'pp\\_refuse\\_truncate\\_%') ORDER BY tgname")) {
            ps.setString(1, dialect.qualified(table));
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    installed.add(new Installed(rs.getString(1), rs.getBoolean(2), rs.getBoolean(3)));
                }
            }
        }
        return installed;
    }

    /** Longest identifier PostgreSQL keeps (NAMEDATALEN - 1 bytes); a longer one is cut without an error. */
    static final int MAX_IDENTIFIER_BYTES = 63;

    /**
     * {@code prefix + name}, or when that is longer than PostgreSQL keeps, the prefix, as much of the name as fits and
     * a hash of the whole name: two long table names that begin alike get functions and triggers of their own, where
     * PostgreSQL's cut would give both the same name.
     */
    static String identifier(String prefix, String name) {
        String whole = prefix + name;
        if (whole.getBytes(StandardCharsets.UTF_8).length <= MAX_IDENTIFIER_BYTES) {
            return whole;
        }
        String hash = "_" + HexFormat.of().formatHex(sha256(name), 0, 4);
        StringBuilder kept = new StringBuilder(prefix);
        int budget = MAX_IDENTIFIER_BYTES - hash.length();
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            int bytes = kept.toString().getBytes(StandardCharsets.UTF_8).length + ch.getBytes(StandardCharsets.UTF_8).length;
            if (bytes > budget) {
                break;
            }
            kept.append(ch);
            i += Character.charCount(cp);
        }
        return kept + hash;
    }

    private static byte[] sha256(String text) {
        return Sha256.digest().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The captured key text of the row {@code rec} (NEW or OLD): a {@code jsonb} array of its key values, each as
     * the batch format writes it ({@link ValueCodec}): a {@code bytea} value as base64 (without the line breaks of
     * PostgreSQL's encoder), not as {@code to_jsonb}'s {@code "\\x..."} text, which no receiver decodes.
     */
    private String key(String rec) {
        return "jsonb_build_array(" + table.primaryKey().stream().map(c -> PostgresDialect.isBytea(c)
                        ? "translate(encode(" + rec + "." + dialect.quote(c.name()) + ", 'base64'), E'\\n', '')"
                        : rec + "." + dialect.quote(c.name()))
                .collect(Collectors.joining(", ")) + ")::text";
    }

    private String row(String rec) {
        return "ROW(" + table.primaryKey().stream().map(c -> rec + "." + dialect.quote(c.name()))
                .collect(Collectors.joining(", ")) + ")";
    }
}
