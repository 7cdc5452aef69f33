package org.senproxy.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.SignerKeys;
import picocli.CommandLine.Option;

/**
 * Who makes an authorization change, and the key that signs it (picocli mixin): every consent or subscription change
 * is recorded in the audit trail with its maker's signature, by a key registered for the maker ({@code keys trust}).
 */
public final class Signer {

    @Option(
            names = "--actor",
            description = "who makes the change, as the audit trail records it (default: the" + " system user name)")
    String actor;

    @Option(
            names = "--key",
            required = true,
            description = "the maker's private key, a JWK file (sen-proxy keys"
                    + " generate makes one; its public half registered for the maker by sen-proxy keys trust); it signs the"
                    + " change")
    Path key;

    public String actor() {
        return actor != null ? actor : System.getProperty("user.name", "operator");
    }

    public ECKey key() throws Exception {
        ECKey parsed = ECKey.parse(Files.readString(key));
        if (!parsed.isPrivate()) {
            throw new IllegalArgumentException(
                    key + " holds a public key only: a change is signed with a private" + " key");
        }
        return parsed;
    }

    /**
     * The maker's private key, refused unless its public half is registered for the maker and valid now: a change
     * signed by another key would break the audit trail.
     */
    public ECKey key(DataSource dataSource) throws Exception {
        ECKey parsed = key();
        new SignerKeys(dataSource, new AuditTrail(dataSource, Clock.systemUTC()), Clock.systemUTC())
                .requireRegistered(actor(), parsed);
        return parsed;
    }
}
