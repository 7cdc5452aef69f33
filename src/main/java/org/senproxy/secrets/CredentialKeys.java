package org.senproxy.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES-256 keys that encrypt local-application credentials at rest, each with a key id: the first is the current
 * key (every new encryption uses it), the others are older keys, kept only so that rows written with them can still
 * be read until {@code credentials rotate} has re-encrypted them; then they can be removed.
 *
 * <p>They come from configuration, never from the database: {@code senproxy.credentials.keys} (normally the
 * environment variable {@code SENPROXY_CREDENTIALS_KEYS}, from a Kubernetes Secret) or the file named by
 * {@code senproxy.credentials.keys-file} (a mounted Secret), both in the form {@code k2:<base64>,k1:<base64>}: a key id
 * ({@value #KEY_ID_PATTERN_TEXT}), a colon and 32 random bytes in base64 ({@code openssl rand -base64 32}), entries
 * separated by commas or white space. There is no default: without keys, the proxy runs, and any use of credentials
 * fails saying what to set.
 *
 * <p>The keys never leave this class: {@link #toString()} and every error name key ids only, never a key's bytes or
 * its base64 text (a base64 decoder's message quotes the bad character, so it is not passed on).
 */
public final class CredentialKeys {

    /** The setting that holds the keys. */
    public static final String KEYS = "senproxy.credentials.keys";
    /** The setting naming a file that holds them. */
    public static final String KEYS_FILE = "senproxy.credentials.keys-file";
    /** No keys: the proxy runs; reading or writing credentials fails with a message saying what to set. */
    public static final CredentialKeys NONE = new CredentialKeys(new LinkedHashMap<>());

    static final String KEY_ID_PATTERN_TEXT = "1 to 64 of A-Z a-z 0-9 . _ -";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final int KEY_BYTES = 32;

    private final Map<String, SecretKey> keys;

    private CredentialKeys(LinkedHashMap<String, SecretKey> keys) {
        this.keys = Collections.unmodifiableMap(keys);
    }

    /**
     * The keys of the settings: {@value #KEYS}, or the file of {@value #KEYS_FILE} (setting both is an error, since
     * one would silently hide the other); {@link #NONE} when neither is set.
     *
     * @param setting a setting's value by key, {@code null} when it is not set
     */
    public static CredentialKeys fromSettings(Function<String, String> setting) {
        String inline = blankToNull(setting.apply(KEYS));
        String file = blankToNull(setting.apply(KEYS_FILE));
        if (inline != null && file != null) {
            throw new IllegalStateException("Both " + KEYS + " and " + KEYS_FILE + " are set: set one of them");
        }
        if (file != null) {
            String text;
            try {
                text = Files.readString(Path.of(file), StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read " + KEYS_FILE + " " + file + ": "
                        + e.getClass().getSimpleName());
            }
            return parse(text, KEYS_FILE + " " + file);
        }
        return inline == null ? NONE : parse(inline, KEYS);
    }

    /** Keys in the form {@code k2:<base64>,k1:<base64>}, the current one first. */
    public static CredentialKeys parse(String text) {
        return parse(text, KEYS);
    }

    private static CredentialKeys parse(String text, String source) {
        LinkedHashMap<String, SecretKey> keys = new LinkedHashMap<>();
        for (String entry : text.trim().split("[,\\s]+")) {
            if (entry.isEmpty()) {
                continue;
            }
            int colon = entry.indexOf(':');
            String id = colon < 0 ? "" : entry.substring(0, colon);
            if (!isKeyId(id)) {
                throw new IllegalStateException(source + ": entry " + (keys.size() + 1) + " is not <key id>:<base64"
                        + " key> with a key id of " + KEY_ID_PATTERN_TEXT);
            }
            if (keys.containsKey(id)) {
                throw new IllegalStateException(source + ": key id " + id + " appears twice");
            }
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(entry.substring(colon + 1));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(source + ": key " + id + " is not valid base64");
            }
            try {
                if (bytes.length != KEY_BYTES) {
                    throw new IllegalStateException(source + ": key " + id + " has " + bytes.length + " bytes;"
                            + " AES-256 needs " + KEY_BYTES + " (openssl rand -base64 32)");
                }
                keys.put(id, new SecretKeySpec(bytes, "AES"));
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException(source + " is set but holds no key");
        }
        return new CredentialKeys(keys);
    }

    static boolean isKeyId(String id) {
        return KEY_ID.matcher(id).matches();
    }

    /** The id of the key that encrypts from now on. */
    public String currentId() {
        requireSome();
        return keys.keySet().iterator().next();
    }

    SecretKey current() {
        return keys.get(currentId());
    }

    /** The key of this id, or {@code null} when it is not configured. */
    SecretKey get(String id) {
        requireSome();
        return keys.get(id);
    }

    /** The configured key ids, the current one first. */
    public List<String> ids() {
        return List.copyOf(keys.keySet());
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    private void requireSome() {
        if (keys.isEmpty()) {
            throw new IllegalStateException("No credentials key is configured: set " + KEYS + " (environment"
                    + " variable SENPROXY_CREDENTIALS_KEYS) or " + KEYS_FILE + " to <key id>:<32 bytes in base64>");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.trim();
    }

    /** Key ids only. */
    @Override
    public String toString() {
        return "CredentialKeys" + keys.keySet();
    }
}
