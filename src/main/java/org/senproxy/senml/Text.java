package org.senproxy.senml;

/** Small helpers to put untrusted text into error messages. */
final class Text {

    private Text() {}

    /** The text in double quotes, shortened and made printable, for quoting input in a message. */
    static String quote(String text) {
        return "\"" + printable(text, 40) + "\"";
    }

    /**
     * The text with control characters, unpaired surrogates and non-characters replaced by {@code \\uXXXX}, and cut
     * after about {@code max} characters (marked by "...").
     */
    static String printable(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 8);
        int i = 0;
        while (i < text.length() && out.length() < max) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                out.append(c).append(text.charAt(i + 1));
                i += 2;
                continue;
            }
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) || c == 0xfffe || c == 0xffff) {
                out.append(String.format("\\u%04X", (int) c));
            } else {
                out.append(c);
            }
            i++;
        }
        if (i < text.length()) {
            out.append("...");
        }
        return out.toString();
    }
}
