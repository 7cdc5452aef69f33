package org.senproxy.audit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;

import com.nimbusds.jose.jwk.ECKey;

/**
 * The proxy's public keys that {@code audit verify} accepts on checkpoints, besides its current one
 * ({@code senproxy.signing.key-file}): setting {@value #SETTING}, JWK files (public or private; only the public half is
 * used) comma separated, for the keys it signed with before a rotation.
 */
public final class ProxyKeys {

    public static final String SETTING = "senproxy.audit.trusted-key-files";

    private ProxyKeys() {}

    /** The keys of the files named in {@code files} (comma separated; null or blank: none), public halves. */
    public static List<ECKey> read(String files) {
        List<ECKey> keys = new ArrayList<>();
        if (files == null || files.isBlank()) {
            return keys;
        }
        for (String file : files.split(",")) {
            if (!file.isBlank()) {
                keys.add(read(Path.of(file.strip())).toPublicJWK());
            }
        }
        return keys;
    }

    /** One EC JWK file, as it is (public or private). */
    public static ECKey read(Path file) {
        try {
            return ECKey.parse(Files.readString(file));
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException(file + " is not a readable EC JWK: " + e.getMessage(), e);
        }
    }
}
