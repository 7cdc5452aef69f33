package org.senproxy.consent;

import java.util.ArrayList;
import java.util.List;

import org.senproxy.senml.Glob;

/**
 * Which series a consent or a subscription covers: one or more patterns, comma separated, over SenML record names.
 * The matching rule, exactly: a pattern matches a whole name; {@code *} stands for any run of characters, none
 * included, across separators; every other character stands for itself (no regular expression: {@code .} is a dot).
 * {@code urn:dev:mac:0004a3_*} is every series of one meter, {@code urn:dev:mac:0004a3_power,urn:dev:mac:0004a3_energy}
 * two of them, {@code *} all. A trailing star right after other characters of a segment ({@code urn:dev:mac:0004a3*})
 * also matches every id that merely starts with them ({@code urn:dev:mac:0004a3ff_power}): {@link #warnings()} says so,
 * and {@code consents grant} prints it. Matching is linear in practice ({@link Glob}), never a backtracking regex.
 */
public final class Scope {

    /** What ends a segment of a series name: a pattern whose star follows one of these covers whole segments. */
    private static final String SEPARATORS = "_:/.";

    private final String text;
    private final List<Glob> patterns;

    private Scope(String text, List<Glob> patterns) {
        this.text = text;
        this.patterns = patterns;
    }

    /** @throws IllegalArgumentException for an empty scope or an empty pattern in it */
    public static Scope parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a scope names at least one series pattern");
        }
        List<Glob> patterns = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String pattern = part.strip();
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("empty pattern in scope '" + text + "'");
            }
            patterns.add(Glob.of(pattern));
        }
        return new Scope(text.strip(), List.copyOf(patterns));
    }

    public boolean covers(String name) {
        for (Glob p : patterns) {
            if (p.matches(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether some name of a declared series ({@code identifier}, a name or a pattern with {@code *}) may be covered:
     * for a name, {@link #covers}; for a pattern, whether one of the scope's patterns agrees with it on the text
     * before the first star and after the last one. A source is sent under a consent on this test; each record is
     * still checked by {@link #covers} before it is sent.
     */
    public boolean mayCover(String identifier) {
        if (identifier.indexOf('*') < 0) {
            return covers(identifier);
        }
        for (Glob g : patterns) {
            String p = g.pattern();
            if (agree(head(p), head(identifier), true) && agree(tail(p), tail(identifier), false)) {
                return true;
            }
        }
        return false;
    }

    private static String head(String pattern) {
        int star = pattern.indexOf('*');
        return star < 0 ? pattern : pattern.substring(0, star);
    }

    private static String tail(String pattern) {
        int star = pattern.lastIndexOf('*');
        return star < 0 ? pattern : pattern.substring(star + 1);
    }

    private static boolean agree(String a, String b, boolean fromStart) {
        return fromStart ? a.startsWith(b) || b.startsWith(a) : a.endsWith(b) || b.endsWith(a);
    }

    /**
     * What an operator should know before granting this scope: each pattern whose star ends a partial segment, and so
     * covers more ids than the one it seems to name.
     */
    public List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        for (Glob g : patterns) {
            String p = g.pattern();
            int star = p.lastIndexOf('*');
            if (star > 0 && star == p.length() - 1 && SEPARATORS.indexOf(p.charAt(star - 1)) < 0) {
                String stem = p.substring(0, star);
                warnings.add("pattern '" + p + "' covers every name that starts with '" + stem + "', e.g. '" + stem
                        + "ff_power' too; to cover one device's series, end it with a separator: '" + stem + "_*'");
            }
        }
        return warnings;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
