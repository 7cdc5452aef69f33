package org.senproxy.db;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The proxy's SQL lives in {@code .sql} files beside the class that runs it, through {@link Sql}: no Java string
 * literal of src/main/java starts with a statement, but for the few listed below, each with why.
 */
class NoSqlInJavaTest {

    private static final Path MAIN_JAVA = Path.of("src", "main", "java");
    private static final Path RESOURCES = Path.of("src", "main", "resources");
    private static final Path STATEMENTS = RESOURCES.resolve(Path.of("org", "senproxy"));

    /** A literal that starts a statement (leading white space aside): the keyword, then a space. */
    private static final Pattern STATEMENT = Pattern.compile("^\\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|ALTER)\\s");

    /**
     * The literals left in Java on purpose: file (under src/main/java) to the literal's start. Keep it short; each
     * entry must still be found (so it goes when its reason does).
     */
    private static final Map<String, String> ALLOWED = Map.of(
            // A table's schema is an identifier, which no parameter can stand for: ProxySchema splices the proxy's
            // schema name (one of two constants, checked by valid() too) into the one statement it builds at run
            // time, quoted with pgjdbc's identifier escaping (Utils.escapeIdentifier), and runs it through Sql.parse.
            "org/senproxy/db/ProxySchema.java", "SELECT 1 FROM ");

    /**
     * Flyway's Java migrations are schema history, not the proxy's statements: what they ran stays as it ran. (V7 runs
     * Quartz's own script from Quartz's jar; its only literals are "DROP " and "COMMIT", which it leaves out.)
     */
    private static final String MIGRATIONS = "db/migration/";

    @Test
    void noJavaStringOfSrcMainJavaStartsAStatementButThoseAllowed() throws IOException {
        List<String> found = new ArrayList<>();
        Set<String> allowedSeen = new TreeSet<>();
        try (Stream<Path> files = Files.walk(MAIN_JAVA)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
                String name = MAIN_JAVA.relativize(file).toString().replace('\\', '/');
                if (name.startsWith(MIGRATIONS)) {
                    continue;
                }
                for (String literal : literals(Files.readString(file))) {
                    if (!STATEMENT.matcher(literal).find()) {
                        continue;
                    }
                    String allowed = ALLOWED.get(name);
                    if (allowed != null && literal.strip().startsWith(allowed.strip())) {
                        allowedSeen.add(name);
                    } else {
                        found.add(name + ": \"" + literal.strip() + "\"");
                    }
                }
            }
        }
        assertThat(found)
                .as(
                        "SQL in Java strings: put each statement in a .sql file beside its class"
                                + " (src/main/resources/org/senproxy/<package>/<name>.sql) and run it with Sql.of(Owner.class, name)")
                .isEmpty();
        assertThat(allowedSeen)
                .as("allowed literals still in their files (drop an entry whose reason went)")
                .containsExactlyInAnyOrderElementsOf(ALLOWED.keySet());
    }

    @Test
    void everyStatementFileSaysWhatItDoesParsesAndIsRunBySomeClassOfItsPackage() throws IOException {
        Pattern of = Pattern.compile("Sql\\.of\\(\\s*\\w+\\.class\\s*,\\s*\"([^\"]+)\"\\s*\\)");
        List<String> problems = new ArrayList<>();
        try (Stream<Path> files = Files.walk(STATEMENTS)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(".sql")).sorted().toList()) {
                String text = Files.readString(file);
                String name = file.getFileName().toString().replaceFirst("\\.sql$", "");
                if (!text.startsWith("-- ")) {
                    problems.add(file + ": does not start with a -- line saying what it does");
                }
                try {
                    Sql.parse(name, text);
                } catch (IllegalArgumentException e) {
                    problems.add(file + ": " + e.getMessage());
                }
                Path pkg = MAIN_JAVA.resolve(RESOURCES.relativize(file.getParent()));
                boolean used = false;
                try (Stream<Path> classes = Files.list(pkg)) {
                    for (Path java :
                            classes.filter(f -> f.toString().endsWith(".java")).toList()) {
                        Matcher m = of.matcher(Files.readString(java));
                        while (m.find()) {
                            used |= m.group(1).equals(name);
                        }
                    }
                }
                if (!used) {
                    problems.add(file + ": no Sql.of(..., \"" + name + "\") in " + pkg);
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    @Test
    void theScannerReadsLiteralsNotCommentsAndTextBlocksToo() {
        String source = """
                class A {
                    // "SELECT in a line comment"
                    /* "INSERT in a block comment" */
                    /** {@code SELECT pg_advisory_xact_lock} in Javadoc */
                    char q = '"';
                    char e = '\\'';
                    String a = "say \\"SELECT\\" " + " UPDATE t SET x = 1";
                    String b = \"""
                        WITH x AS (SELECT 1) SELECT * FROM x
                        \""";
                }
                """;
        List<String> literals = literals(source);
        assertThat(literals).hasSize(3);
        assertThat(literals.stream().filter(l -> STATEMENT.matcher(l).find()).map(String::strip))
                .containsExactly("UPDATE t SET x = 1", "WITH x AS (SELECT 1) SELECT * FROM x");
    }

    /** The string literals of a Java source (text blocks too), escapes left as written; comments are skipped. */
    static List<String> literals(String source) {
        List<String> literals = new ArrayList<>();
        int n = source.length();
        int i = 0;
        while (i < n) {
            char ch = source.charAt(i);
            if (source.startsWith("//", i)) {
                int end = source.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (source.startsWith("/*", i)) {
                int end = source.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (ch == '\'') {
                i = closing(source, i + 1, "'") + 1;
            } else if (source.startsWith("\"\"\"", i)) {
                int start = source.indexOf('\n', i) + 1;
                int end = closing(source, start, "\"\"\"");
                literals.add(source.substring(start, end));
                i = end + 3;
            } else if (ch == '"') {
                int end = closing(source, i + 1, "\"");
                literals.add(source.substring(i + 1, end));
                i = end + 1;
            } else {
                i++;
            }
        }
        return literals;
    }

    /** Where the quote that closes a literal starting at {@code from} is; a backslash escapes the next character. */
    private static int closing(String source, int from, String quote) {
        int i = from;
        while (i < source.length() && !source.startsWith(quote, i)) {
            i += source.charAt(i) == '\\' ? 2 : 1;
        }
        return i;
    }
}
