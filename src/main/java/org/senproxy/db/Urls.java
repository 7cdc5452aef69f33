package org.senproxy.db;

import java.util.regex.Pattern;

/** URLs as they may be logged or shown: without the credentials they can carry. */
public final class Urls {

    /** A password parameter of a JDBC or HTTP URL ({@code password=}, {@code sslpassword=}, any case). */
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)((?:ssl)?password=)[^&;]*");
    /** The password of a user-info part ({@code scheme://user:password@host}). */
    private static final Pattern USER_INFO = Pattern.compile("(//[^/@:]*:)[^/@]*@");

    private Urls() {}

    /** The URL with every password it carries replaced by {@code ***}. */
    public static String redacted(String url) {
        if (url == null) {
            return null;
        }
        String once = PASSWORD_PARAMETER.matcher(url).replaceAll("$1***");
        return USER_INFO.matcher(once).replaceAll("$1***@");
    }
}
