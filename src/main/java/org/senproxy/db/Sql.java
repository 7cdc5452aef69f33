package org.senproxy.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One SQL statement kept in a resource file beside the class that runs it ({@code org/senproxy/outbox/claim.sql} for
 * {@code Sql.of(OutboxDispatch.class, "claim")}), written as PostgreSQL reads it, with named parameters
 * ({@code :lease_ms}). The file is read and parsed once (and cached): the named parameters become JDBC's {@code ?}
 * with an order, and a name used twice binds both places. Everything else goes to the server as written:
 * {@code ::type} casts, the jsonb operators {@code ?}, {@code ?|} and {@code ?&} (escaped for pgjdbc), and whatever is
 * inside string literals, quoted identifiers, dollar quotes and comments. Comment lines ({@code --}) describe the
 * statement in its file and are not sent.
 *
 * <p>The helper runs statements on a connection it is given: a transaction is {@link Transactions#inTransaction}'s. It
 * adds no round trip: {@link #query}, {@link #update} and {@link #one} are one statement, {@link #batch} is one JDBC
 * batch (pgjdbc's {@code reWriteBatchedInserts} still makes multi-row INSERTs of it), and an array parameter
 * ({@link Params#array}) carries a whole batch into one {@code unnest}.
 */
public final class Sql {

    /** Reads one row of a result. */
    @FunctionalInterface
    public interface Row<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /** Binds the parameters of one execution (one row of a batch). */
    @FunctionalInterface
    public interface Binder<T> {
        void bind(T item, Params params) throws SQLException;
    }

    private static final Map<String, Sql> LOADED = new ConcurrentHashMap<>();

    private final String name;
    private final String jdbc;
    private final List<String> parameters;
    private final Map<String, int[]> positions;

    private Sql(String name, String jdbc, List<String> parameters) {
        this.name = name;
        this.jdbc = jdbc;
        this.parameters = List.copyOf(parameters);
        Map<String, List<Integer>> at = new LinkedHashMap<>();
        for (int i = 0; i < parameters.size(); i++) {
            at.computeIfAbsent(parameters.get(i), p -> new ArrayList<>()).add(i + 1);
        }
        Map<String, int[]> positions = new LinkedHashMap<>();
        at.forEach((p, list) ->
                positions.put(p, list.stream().mapToInt(Integer::intValue).toArray()));
        this.positions = Collections.unmodifiableMap(positions);
    }

    /** The statement in {@code <name>.sql} in the package of {@code owner}, read and parsed on first use. */
    public static Sql of(Class<?> owner, String name) {
        String resource = owner.getPackageName().replace('.', '/') + "/" + name + ".sql";
        return LOADED.computeIfAbsent(resource, r -> parse(r, read(owner, r)));
    }

    /** A statement from its text (for tests and for the rare statement built at run time). */
    public static Sql parse(String name, String text) {
        List<String> parameters = new ArrayList<>();
        String jdbc = translate(name, text, parameters);
        return new Sql(name, jdbc, parameters);
    }

    private static String read(Class<?> owner, String resource) {
        try (InputStream in = owner.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("no statement file " + resource + " on the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read statement file " + resource + ": " + e.getMessage(), e);
        }
    }

    /** The file's name, as errors name the statement. */
    public String name() {
        return name;
    }

    /** The text sent to the server, with {@code ?} for each parameter. */
    public String jdbc() {
        return jdbc;
    }

    /** The parameters in the order of their {@code ?}, a name as often as it is used. */
    public List<String> parameters() {
        return parameters;
    }

    /** A fresh set of parameter values for this statement. */
    public Params params() {
        return new Params();
    }

    /** Runs the query with these parameters and reads every row. */
    public <T> List<T> query(Connection c, Params params, Row<T> row) throws SQLException {
        List<T> rows = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, params);
                ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                rows.add(row.read(rs));
            }
        }
        return rows;
    }

    /** Runs the query with these parameters and reads its first row, or returns null when there is none. */
    public <T> T one(Connection c, Params params, Row<T> row) throws SQLException {
        try (PreparedStatement ps = prepare(c, params);
                ResultSet rs = ps.executeQuery()) {
            return rs.next() ? row.read(rs) : null;
        }
    }

    /** Runs a statement that returns no rows; returns the rows it changed. */
    public int update(Connection c, Params params) throws SQLException {
        try (PreparedStatement ps = prepare(c, params)) {
            return ps.executeUpdate();
        }
    }

    /** Runs a statement whose result is not read (a lock taken with {@code SELECT pg_advisory_xact_lock}). */
    public void execute(Connection c, Params params) throws SQLException {
        try (PreparedStatement ps = prepare(c, params)) {
            ps.execute();
        }
    }

    /** Runs the statement once per item, as one JDBC batch; nothing is sent for no item. */
    public <T> void batch(Connection c, Iterable<T> items, Binder<? super T> binder) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(jdbc)) {
            int rows = 0;
            for (T item : items) {
                Params params = new Params();
                binder.bind(item, params);
                params.bindTo(c, ps);
                ps.addBatch();
                rows++;
            }
            if (rows > 0) {
                ps.executeBatch();
            }
        }
    }

    /**
     * The statement prepared and bound, for a caller that reads its result itself (a fetch size, a streamed result).
     * The caller closes it.
     */
    public PreparedStatement prepare(Connection c, Params params) throws SQLException {
        PreparedStatement ps = c.prepareStatement(jdbc);
        try {
            params.bindTo(c, ps);
            return ps;
        } catch (SQLException | RuntimeException e) {
            ps.close();
            throw e;
        }
    }

    @Override
    public String toString() {
        return name;
    }

    /**
     * The values of one execution, by name. {@link #set} binds as {@code setObject} does (a null is of no type, the
     * server infers it); {@link #text} as {@code setString} (a null is text); {@link #array} as a PostgreSQL array.
     */
    public final class Params {

        private final Map<String, Value> values = new LinkedHashMap<>();

        private Params() {}

        /** A value bound with {@code setObject}: String, Integer, Long, Boolean, UUID, OffsetDateTime, byte[]... */
        public Params set(String parameter, Object value) {
            return put(parameter, new Value(Kind.OBJECT, value, null));
        }

        /** A text value, bound with {@code setString}: a null is a text null. */
        public Params text(String parameter, String value) {
            return put(parameter, new Value(Kind.TEXT, value, null));
        }

        /** A PostgreSQL array of {@code elementType} ({@code text}, {@code int8}, {@code uuid}...). */
        public Params array(String parameter, String elementType, Object[] elements) {
            return put(parameter, new Value(Kind.ARRAY, elements, Objects.requireNonNull(elementType)));
        }

        private Params put(String parameter, Value value) {
            if (!positions.containsKey(parameter)) {
                throw new IllegalArgumentException("statement " + name + " has no parameter :" + parameter + " (it has "
                        + positions.keySet() + ")");
            }
            values.put(parameter, value);
            return this;
        }

        private void bindTo(Connection c, PreparedStatement ps) throws SQLException {
            for (Map.Entry<String, int[]> p : positions.entrySet()) {
                Value v = values.get(p.getKey());
                if (v == null) {
                    throw new IllegalArgumentException("statement " + name + ": no value for :" + p.getKey());
                }
                for (int i : p.getValue()) {
                    switch (v.kind()) {
                        case TEXT -> ps.setString(i, (String) v.value());
                        case ARRAY -> ps.setArray(i, c.createArrayOf(v.elementType(), (Object[]) v.value()));
                        default -> ps.setObject(i, v.value());
                    }
                }
            }
        }
    }

    private enum Kind {
        OBJECT,
        TEXT,
        ARRAY
    }

    private record Value(Kind kind, Object value, String elementType) {}

    /**
     * PostgreSQL text with {@code :name} parameters to JDBC text with {@code ?}, collecting the names in order. Left as
     * written: string literals ({@code '...'}, {@code E'...'}), quoted identifiers, dollar quotes, block comments and
     * casts ({@code ::}); a {@code ?} of PostgreSQL's (a jsonb operator) is doubled, pgjdbc's escape for it; line
     * comments are dropped.
     */
    static String translate(String name, String text, List<String> parameters) {
        StringBuilder out = new StringBuilder(text.length());
        int n = text.length();
        int i = 0;
        while (i < n) {
            char ch = text.charAt(i);
            if (ch == '\'' || ch == '"') {
                int end = quoteEnd(text, i, ch, name);
                out.append(text, i, end);
                i = end;
            } else if (ch == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int end = text.indexOf('\n', i);
                i = end < 0 ? n : end; // the line break stays
            } else if (ch == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                int end = text.indexOf("*/", i + 2);
                if (end < 0) {
                    throw new IllegalArgumentException("statement " + name + ": unterminated /* comment");
                }
                out.append(text, i, end + 2);
                i = end + 2;
            } else if (ch == '$' && dollarTag(text, i) != null) {
                String tag = dollarTag(text, i);
                int end = text.indexOf(tag, i + tag.length());
                if (end < 0) {
                    throw new IllegalArgumentException("statement " + name + ": unterminated " + tag + " quote");
                }
                out.append(text, i, end + tag.length());
                i = end + tag.length();
            } else if (ch == ':' && i + 1 < n && text.charAt(i + 1) == ':') {
                out.append("::");
                i += 2;
            } else if (ch == ':'
                    && i + 1 < n
                    && Character.isJavaIdentifierStart(text.charAt(i + 1))
                    && text.charAt(i + 1) != '$') {
                int end = i + 1;
                while (end < n && (Character.isLetterOrDigit(text.charAt(end)) || text.charAt(end) == '_')) {
                    end++;
                }
                parameters.add(text.substring(i + 1, end));
                out.append('?');
                i = end;
            } else if (ch == '?') {
                out.append("??");
                i++;
            } else {
                out.append(ch);
                i++;
            }
        }
        return out.toString().strip();
    }

    /** The index after the quote that closes the one at {@code start} (a doubled quote is part of the text). */
    private static int quoteEnd(String text, int start, char quote, String name) {
        boolean backslashes =
                quote == '\'' && start > 0 && (text.charAt(start - 1) == 'E' || text.charAt(start - 1) == 'e');
        int i = start + 1;
        while (i < text.length()) {
            char ch = text.charAt(i);
            if (backslashes && ch == '\\') {
                i += 2;
            } else if (ch == quote) {
                if (i + 1 < text.length() && text.charAt(i + 1) == quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            } else {
                i++;
            }
        }
        throw new IllegalArgumentException("statement " + name + ": unterminated " + quote + " quote");
    }

    /** The dollar-quote tag ({@code $$}, {@code $body$}) that starts at {@code start}, or null (a {@code $1}). */
    private static String dollarTag(String text, int start) {
        int i = start + 1;
        while (i < text.length()
                && (Character.isLetter(text.charAt(i))
                        || text.charAt(i) == '_'
                        || (i > start + 1 && Character.isDigit(text.charAt(i))))) {
            i++;
        }
        return i < text.length() && text.charAt(i) == '$' ? text.substring(start, i + 1) : null;
    }
}
