package org.senproxy.consent;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which series a consent or a subscription covers: one or more patterns, comma separated, over SenML record names.
 * {@code *} stands for any run of characters, everything else is literal: {@code urn:dev:mac:0004a3*} is every series
 * of one meter, {@code urn:dev:mac:0004a3:power,urn:dev:mac:0004a3:energy} two of them, {@code *} all.
 */
public final class Scope {

    private final String text;
    private final List<Pattern> patterns;

    private Scope(String text, List<Pattern> patterns) {
        this.text = text;
        this.patterns = patterns;
    }

    /** @throws IllegalArgumentException for an empty scope or an empty pattern in it */
    public static Scope parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a scope names at least one series pattern");
        }
        List<Pattern> patterns = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            String pattern = part.strip();
            if (pattern.isEmpty()) {
                throw new IllegalArgumentException("empty pattern in scope '" + text + "'");
            }
            patterns.add(glob(pattern));
        }
        return new Scope(text.strip(), List.copyOf(patterns));
    }

    /** A series pattern ({@code *}: any characters, the rest literal) as a regular expression on whole names. */
    public static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        int start = 0;
        for (int star = pattern.indexOf('*'); star >= 0; star = pattern.indexOf('*', start)) {
            if (star > start) {
                regex.append(Pattern.quote(pattern.substring(start, star)));
            }
            regex.append(".*");
            start = star + 1;
        }
        if (start < pattern.length()) {
            regex.append(Pattern.quote(pattern.substring(start)));
        }
        return Pattern.compile(regex.toString(), Pattern.DOTALL);
    }

    public boolean covers(String name) {
        for (Pattern p : patterns) {
            if (p.matcher(name).matches()) {
                return true;
            }
        }
        return false;
    }

    public String text() {
        return text;
    }

    @Override
    public String toString() {
        return text;
    }
}
