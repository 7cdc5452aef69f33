package org.senproxy.cli;

import java.nio.file.Files;
import java.nio.file.Path;

import com.nimbusds.jose.jwk.ECKey;
import picocli.CommandLine.Option;

/**
 * Who makes an authorization change, and the key that signs it (picocli mixin): every consent or subscription change
 * is recorded in the audit trail with its maker's signature.
 */
public final class Signer {

    @Option(names = "--actor", description = "who makes the change, as the audit trail records it (default: the"
            + " system user name)")
    String actor;

    @Option(names = "--key", required = true, description = "the maker's private key, a JWK file (sen-proxy keys"
            + " generate makes one); it signs the change")
    Path key;

    public String actor() {
        return actor != null ? actor : System.getProperty("user.name", "operator");
    }

    public ECKey key() throws Exception {
        ECKey parsed = ECKey.parse(Files.readString(key));
        if (!parsed.isPrivate()) {
            throw new IllegalArgumentException(key + " holds a public key only: a change is signed with a private"
                    + " key");
        }
        return parsed;
    }
}
