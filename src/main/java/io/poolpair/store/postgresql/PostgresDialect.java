package io.poolpair.store.postgresql;

import io.poolpair.store.Column;
import io.poolpair.store.Dialect;
import io.poolpair.store.TableInfo;
import io.poolpair.store.ValueCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * PostgreSQL (14 or newer): a PL/pgSQL trigger function per replicated table ({@code pp_capture_<table>}) called once
 * per statement with the statement's transition tables, upserts as
 * {@code INSERT ... ON CONFLICT ... DO UPDATE}, capture suppressed by the transaction-local setting
 * {@code poolpair.applying}.
 */
public final class PostgresDialect implements Dialect {

    /** Advisory lock key of start-up preparation ("poolpair" in ASCII). */
    private static final long SETUP_LOCK = 0x706f6f6c70616972L;

    @Override
    public String urlPrefix() {
        return "jdbc:postgresql:";
    }

    @Override
    public String sqlFolder() {
        return "postgresql";
    }

    @Override
    public String upsertSql(TableInfo table, List<Column> columns) {
        String marks = columns.stream().map(c -> "?").collect(Collectors.joining(", "));
        return "INSERT INTO " + qualified(table) + " (" + columnList(columns) + ") VALUES (" + marks + ") "
                + onConflict(table, columns);
    }

    /** What an upsert of {@code columns} does on a row whose key exists: sets its other columns (or nothing). */
    String onConflict(TableInfo table, List<Column> columns) {
        List<Column> updated = columns.stream().filter(c -> !table.primaryKey().contains(c)).toList();
        return "ON CONFLICT (" + columnList(table.primaryKey()) + ") " + (updated.isEmpty() ? "DO NOTHING"
                : "DO UPDATE SET " + updated.stream().map(c -> quote(c.name()) + " = EXCLUDED." + quote(c.name()))
                        .collect(Collectors.joining(", ")));
    }

    /**
     * The keys as a {@code jsonb} array, joined to the table by its primary key (an index lookup per key); each
     * key value is cast from its captured JSON text to the column's type, as {@code to_jsonb} wrote it.
     */
    @Override
    public Optional<String> rowsByKeysSql(TableInfo table) {
        List<Column> pk = table.primaryKey();
        StringBuilder on = new StringBuilder();
        for (int i = 0; i < pk.size(); i++) {
            on.append(i == 0 ? "" : " AND ").append("t.").append(quote(pk.get(i).name())).append(" = ");
            if (isBytea(pk.get(i))) {
                on.append("decode(k.key ->> ").append(i).append(", 'base64')");
            } else {
                on.append("(k.key ->> ").append(i).append(")::").append(castType(pk.get(i)));
            }
        }
        String columns = table.columns().stream().map(c -> "t." + quote(c.name())).collect(Collectors.joining(", "));
        return Optional.of("SELECT k.ord, " + columns + " FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS k(key, ord)"
                + " LEFT JOIN " + qualified(table) + " t ON " + on + " ORDER BY k.ord");
    }

    private String castType(Column column) {
        String type = switch (column.typeName()) {
            case "serial" -> "int4";
            case "bigserial" -> "int8";
            case "smallserial" -> "int2";
            default -> column.typeName();
        };
        return type.matches("[a-z_][a-z0-9_]*") ? type : quote(type);
    }

    /** COPY into a temporary table, then one set-based statement ({@link CopyEntry}). */
    @Override
    public Optional<io.poolpair.store.BulkEntry> bulkEntry(Connection conn, TableInfo table, boolean upsert) {
        return Optional.of(new CopyEntry(conn, this, table, upsert));
    }

    @Override
    public void setApplying(Connection conn, boolean applying) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT set_config('poolpair.applying', '" + (applying ? "on" : "off") + "', true)");
        }
    }

    @Override
    public void holdWritersOff(Connection conn, List<TableInfo> tables) throws SQLException {
        if (tables.isEmpty()) {
            return;
        }
        StringBuilder lock = new StringBuilder("LOCK TABLE ");
        for (int i = 0; i < tables.size(); i++) {
            lock.append(i == 0 ? "" : ", ").append(qualified(tables.get(i)));
        }
        try (Statement st = conn.createStatement()) {
            st.execute(lock + " IN SHARE ROW EXCLUSIVE MODE");
        }
    }

    /** A session advisory lock of the database: one instance prepares the store at a time. */
    @Override
    public void beginSetup(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT pg_advisory_lock(" + SETUP_LOCK + ")");
        }
    }

    @Override
    public void endSetup(Connection conn) throws SQLException {
        try (Statement st = conn.createStatement()) {
            st.execute("SELECT pg_advisory_unlock(" + SETUP_LOCK + ")");
        }
    }

    @Override
    public List<String> uninstallStatements(Connection conn) throws SQLException {
        List<String> statements = new ArrayList<>();
        collect(conn, statements, "SELECT 'DROP TRIGGER IF EXISTS ' || quote_ident(t.tgname) || ' ON ' || t.tgrelid::regclass"
                + " FROM pg_trigger t WHERE NOT t.tgisinternal AND (t.tgname LIKE 'pp\\_capture\\_%' OR t.tgname LIKE"
                + " 'pp\\_refuse\\_truncate\\_%') ORDER BY 1");
        collect(conn, statements, "SELECT 'DROP FUNCTION IF EXISTS ' || p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n"
                + " ON n.oid = p.pronamespace WHERE n.nspname = ANY (current_schemas(false)) AND p.proname LIKE 'pp\\_%'"
                + " AND p.prorettype = 'trigger'::regtype ORDER BY 1");
        collect(conn, statements, "SELECT 'DROP TABLE IF EXISTS ' || quote_ident(table_schema) || '.' || quote_ident(table_name)"
                + " || ' CASCADE' FROM information_schema.tables WHERE table_schema = ANY (current_schemas(false))"
                + " AND table_name LIKE 'pp\\_%' AND table_type = 'BASE TABLE' ORDER BY 1");
        return statements;
    }

    private static void collect(Connection conn, List<String> into, String query) throws SQLException {
        try (Statement st = conn.createStatement(); java.sql.ResultSet rs = st.executeQuery(query)) {
            while (rs.next()) {
                into.add(rs.getString(1));
            }
        }
    }

    /**
     * Statement-level capture: a trigger function of the table's own ({@code pp_capture_<table>}), which names the key
     * columns and the module literally, called by three {@code AFTER ... FOR EACH STATEMENT} triggers (one per event:
     * PostgreSQL allows transition tables only on a trigger of one event), each writing the keys of every row of its
     * statement with one {@code INSERT INTO pp_change ... SELECT} from the statement's transition table: {@code I},
     * {@code U} (the new keys) or {@code D}. An UPDATE that changes a row's key also records the old key as {@code D},
     * from a row-level trigger whose {@code WHEN} condition PostgreSQL evaluates without calling the function, so an
     * update that keeps its keys pays nothing for it (comparing old and new keys as sets per statement cost more than
     * the whole capture of a one-row UPDATE). A row-level trigger of earlier versions, which captured every row, is
     * dropped here, in the caller's transaction, before its function is replaced.
     */
    @Override
    public void installCapture(Connection conn, TableInfo table) throws SQLException {
        String select = "INSERT INTO pp_change (module, table_name, pk, op) SELECT " + literal(table.module()) + ", "
                + literal(table.name()) + ", ";
        String function = quote(identifier("pp_capture_", table.dbName()));
        String keyChange = identifier("pp_capture_key_", table.dbName());
        try (Statement st = conn.createStatement()) {
            for (String drop : rowLevelCaptureTriggers(conn, table, keyChange)) {
                st.execute(drop);
            }
            st.execute("CREATE OR REPLACE FUNCTION " + function + "() RETURNS trigger LANGUAGE plpgsql AS $pp$\n"
                    + "BEGIN\n"
                    + "  IF current_setting('poolpair.applying', true) = 'on' THEN\n"
                    + "    RETURN NULL;\n"
                    + "  END IF;\n"
                    + "  IF TG_LEVEL = 'ROW' THEN\n"
                    + "    INSERT INTO pp_change (module, table_name, pk, op) VALUES (" + literal(table.module()) + ", "
                    + literal(table.name()) + ", " + key(table, "OLD") + ", 'D');\n"
                    + "  ELSIF TG_OP = 'INSERT' THEN\n"
                    + "    " + select + key(table, "n") + ", 'I' FROM pp_new n;\n"
                    + "  ELSIF TG_OP = 'UPDATE' THEN\n"
                    + "    " + select + key(table, "n") + ", 'U' FROM pp_new n;\n"
                    + "  ELSE\n"
                    + "    " + select + key(table, "o") + ", 'D' FROM pp_old o;\n"
                    + "  END IF;\n"
                    + "  RETURN NULL;\n"
                    + "END\n"
                    + "$pp$");
            for (String[] event : new String[][] {{"ins_", "INSERT", "NEW TABLE AS pp_new"}, {"upd_", "UPDATE",
                    "NEW TABLE AS pp_new"}, {"del_", "DELETE", "OLD TABLE AS pp_old"}}) {
                st.execute("CREATE OR REPLACE TRIGGER " + quote(identifier("pp_capture_" + event[0], table.dbName())) + " AFTER "
                        + event[1] + " ON " + qualified(table) + " REFERENCING " + event[2] + " FOR EACH STATEMENT EXECUTE FUNCTION "
                        + function + "()");
            }
            st.execute("CREATE OR REPLACE TRIGGER " + quote(keyChange) + " AFTER UPDATE ON " + qualified(table) + " FOR EACH ROW"
                    + " WHEN (" + row(table, "OLD") + " IS DISTINCT FROM " + row(table, "NEW") + ") EXECUTE FUNCTION " + function + "()");
            // TRUNCATE fires no row trigger, so it would never reach the peer: refused, unless an import is applied
            st.execute("CREATE OR REPLACE FUNCTION pp_refuse_truncate() RETURNS trigger LANGUAGE plpgsql AS $pp$\n"
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
            st.execute("CREATE OR REPLACE TRIGGER " + quote(identifier("pp_refuse_truncate_", table.dbName())) + " BEFORE TRUNCATE ON "
                    + qualified(table) + " FOR EACH STATEMENT EXECUTE FUNCTION pp_refuse_truncate()");
        }
    }

    /** DROP statements of the row-level capture triggers an earlier version put on the table (all but {@code keep}). */
    private List<String> rowLevelCaptureTriggers(Connection conn, TableInfo table, String keep) throws SQLException {
        List<String> drops = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT quote_ident(tgname) FROM pg_trigger WHERE tgrelid = ?::regclass"
                + " AND NOT tgisinternal AND tgname LIKE 'pp\\_capture\\_%' AND (tgtype & 1) = 1 AND tgname <> ? ORDER BY 1")) {
            ps.setString(1, qualified(table));
            ps.setString(2, keep);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    drops.add("DROP TRIGGER " + rs.getString(1) + " ON " + qualified(table));
                }
            }
        }
        return drops;
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
        byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256", e);
        }
        String hash = "_" + HexFormat.of().formatHex(digest, 0, 4);
        StringBuilder kept = new StringBuilder(prefix);
        int budget = MAX_IDENTIFIER_BYTES - hash.length();
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            if (kept.toString().getBytes(StandardCharsets.UTF_8).length + ch.getBytes(StandardCharsets.UTF_8).length > budget) {
                break;
            }
            kept.append(ch);
            i += Character.charCount(cp);
        }
        return kept + hash;
    }

    /**
     * The captured key text of the row {@code rec} (NEW or OLD): a {@code jsonb} array of its key values, each as
     * the batch format writes it ({@link ValueCodec}): a {@code bytea} value as base64 (without the line breaks of
     * PostgreSQL's encoder), not as {@code to_jsonb}'s {@code "\\x..."} text, which no receiver decodes.
     */
    private String key(TableInfo table, String rec) {
        return "jsonb_build_array(" + table.primaryKey().stream().map(c -> isBytea(c)
                        ? "translate(encode(" + rec + "." + quote(c.name()) + ", 'base64'), E'\\n', '')"
                        : rec + "." + quote(c.name()))
                .collect(Collectors.joining(", ")) + ")::text";
    }

    private static boolean isBytea(Column column) {
        return "bytea".equals(column.typeName());
    }

    private String row(TableInfo table, String rec) {
        return "ROW(" + table.primaryKey().stream().map(c -> rec + "." + quote(c.name())).collect(Collectors.joining(", ")) + ")";
    }

    @Override
    public void bindConverted(PreparedStatement ps, int index, Object v, Column column) throws SQLException {
        if (v instanceof String s && (column.jdbcType() == Types.OTHER || ValueCodec.isJson(column))) {
            ps.setObject(index, s, Types.OTHER);
        } else {
            Dialect.super.bindConverted(ps, index, v, column);
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }
}
