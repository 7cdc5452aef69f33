package org.senproxy.federation;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.text.ParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.db.Sql;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This proxy's signing keys: the one it signs with now, among the private keys it holds in files. The configured key
 * ({@code senproxy.signing.key-file}) signs until a rotation ({@code keys rotate}, {@link KeyRotation}) makes another
 * one {@code active} in table {@code own_key}; every replica then switches as soon as it finds that key's private half
 * beside the configured one (a file {@code KID.jwk} in the same folder: a Kubernetes Secret mounted as a folder gets
 * the new file without a restart). A replica that does not find it yet keeps signing with the key it has, which the
 * peers accept for the overlap window, and says so once in its log.
 */
public class OwnKeys {

    private static final Logger LOG = LoggerFactory.getLogger(OwnKeys.class);
    private static final Sql ACTIVE = Sql.of(OwnKeys.class, "own-key-active");
    private static final Sql BOOTSTRAP = Sql.of(OwnKeys.class, "own-key-bootstrap");

    private final ECKey configured;
    private final Path folder;
    private final Map<String, ECKey> held = new ConcurrentHashMap<>();
    private volatile ECKey current;
    private volatile String missingLogged;

    /**
     * @param configured the key of {@code senproxy.signing.key-file}, or null (messages go unsigned)
     * @param folder     where the keys of later rotations are found ({@code KID.jwk}), or null
     */
    public OwnKeys(ECKey configured, Path folder) {
        this.configured = configured;
        this.folder = folder;
        this.current = configured;
        if (configured != null) {
            held.put(configured.getKeyID(), configured);
        }
    }

    /** The private key to sign with now, or null when this proxy has none. */
    public ECKey current() {
        return current;
    }

    /** The configured key (the one of {@code senproxy.signing.key-file}), or null. */
    public ECKey configured() {
        return configured;
    }

    /** Where a rotation writes the next key's private half ({@code KID.jwk}), or null when there is no such folder. */
    public Path folder() {
        return folder;
    }

    /**
     * Signs from now on with the key the database says is active, when this replica holds it; records the configured
     * key as the active one when no key is (the first start, or a proxy that never rotated).
     */
    public void refresh(DataSource dataSource) throws SQLException {
        if (configured == null) {
            return;
        }
        String active;
        try (Connection c = dataSource.getConnection()) {
            active = activeKid(c, configured);
        }
        if (active.equals(current.getKeyID())) {
            return;
        }
        ECKey key = held.computeIfAbsent(active, this::read);
        if (key == null) {
            if (!active.equals(missingLogged)) {
                missingLogged = active;
                LOG.warn(
                        "Key {} signs for this proxy since a rotation, but its private half is not here ({}): this"
                                + " replica signs with {} meanwhile (peers accept it until the overlap ends)",
                        active,
                        folder == null ? "no folder beside senproxy.signing.key-file" : folder.resolve(active + ".jwk"),
                        current.getKeyID());
            }
            return;
        }
        LOG.info("Messages are signed with key {} from now on (was {})", active, current.getKeyID());
        current = key;
    }

    /**
     * The key id that signs now; the configured key's, recorded as active, when no key is recorded yet (the first
     * start, or a proxy that never rotated).
     */
    public static String activeKid(Connection c, ECKey configured) throws SQLException {
        String active = ACTIVE.one(c, ACTIVE.params(), rs -> rs.getString(1));
        if (active == null) {
            BOOTSTRAP.update(
                    c,
                    BOOTSTRAP
                            .params()
                            .text("kid", configured.getKeyID())
                            .text("jwk", configured.toPublicJWK().toJSONString()));
            active = ACTIVE.one(c, ACTIVE.params(), rs -> rs.getString(1));
        }
        return active;
    }

    private ECKey read(String kid) {
        if (folder == null) {
            return null;
        }
        Path file = folder.resolve(kid + ".jwk");
        if (!Files.isReadable(file)) {
            return find(kid);
        }
        try {
            ECKey key = ECKey.parse(Files.readString(file));
            return key.isPrivate() && kid.equals(key.getKeyID()) ? key : null;
        } catch (IOException | ParseException e) {
            LOG.warn("{} is not a readable private JWK: {}", file, e.getMessage());
            return null;
        }
    }

    /** A Kubernetes Secret's keys may be named otherwise: any *.jwk of the folder holding that key id. */
    private ECKey find(String kid) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder, "*.jwk")) {
            for (Path file : files) {
                try {
                    ECKey key = ECKey.parse(Files.readString(file));
                    if (key.isPrivate() && kid.equals(key.getKeyID())) {
                        return key;
                    }
                } catch (IOException | ParseException notAKey) {
                    // another file
                }
            }
        } catch (IOException e) {
            LOG.warn("Cannot list {}: {}", folder, e.getMessage());
        }
        return null;
    }
}
