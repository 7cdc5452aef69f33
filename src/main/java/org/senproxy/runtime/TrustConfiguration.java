package org.senproxy.runtime;

import static org.senproxy.runtime.ProxyBeans.LOG;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.ProxyKeys;
import org.senproxy.consent.Subscriptions;
import org.senproxy.federation.OwnKeys;
import org.senproxy.secrets.CredentialCipher;
import org.senproxy.secrets.CredentialKeys;
import org.senproxy.secrets.UserCredentials;

/**
 * Trust: the proxy's signing key, the audit trail ({@code audit}), the subscriptions that authorize what peers send
 * ({@code subscriptions}) and local applications' credentials ({@code userCredentials}).
 *
 * @param signingKey      the proxy's configured private key, or {@code null}: messages go unsigned, the trail has no
 *                        checkpoints
 * @param ownKeys         the key that signs messages now (the configured one, or a later one after a rotation)
 * @param consentRequired whether a message must be sent and received under a consent
 */
record TrustConfiguration(ECKey signingKey, OwnKeys ownKeys, AuditTrail audit, boolean consentRequired) {

    /** @param lookups how long an app, its keys and a subscription read for an inbound message are remembered */
    static TrustConfiguration bind(CamelContext context, Settings settings, DataSource dataSource, Duration lookups)
            throws IOException, ParseException {
        Registry registry = context.getRegistry();
        ECKey signingKey = privateKey(settings);
        // the proxy's key signs the audit trail's checkpoints too; without it, the trail has none and is never pruned
        AuditTrail audit = new AuditTrail(
                dataSource,
                Clock.systemUTC(),
                signingKey,
                ProxyKeys.read(settings.optional(ProxyKeys.SETTING).orElse(null)));
        registry.bind("audit", audit);
        boolean consentRequired = settings.bool("senproxy.consent.required");
        if (!consentRequired) {
            LOG.warn("senproxy.consent.required=false: consumers without a consent send, and messages naming no"
                    + " consent are accepted from registered apps");
        }
        registry.bind("subscriptions", new Subscriptions(dataSource, audit, consentRequired, lookups));
        registry.bind("userCredentials", userCredentials(settings, dataSource));
        // a rotation's keys are found beside the configured one (keys rotate writes them there)
        Path folder = settings.optional("senproxy.signing.key-file")
                .map(file -> Path.of(file).toAbsolutePath().getParent())
                .orElse(null);
        OwnKeys ownKeys = new OwnKeys(signingKey, folder);
        // after a rotation the active key signs the checkpoints too
        audit.signingWith(ownKeys::current);
        return new TrustConfiguration(signingKey, ownKeys, audit, consentRequired);
    }

    /** The proxy's private signing key (a JWK file), or null: its messages then go unsigned. */
    private static ECKey privateKey(Settings settings) throws IOException, ParseException {
        Optional<String> file = settings.optional("senproxy.signing.key-file");
        if (file.isEmpty()) {
            LOG.warn("Messages are sent unsigned: set senproxy.signing.key-file (sen-proxy keys generate makes one)");
            return null;
        }
        ECKey key = ECKey.parse(Files.readString(Path.of(file.get())));
        if (!key.isPrivate()) {
            throw new IllegalStateException("senproxy.signing.key-file " + file.get() + " holds a public key only");
        }
        LOG.info("Messages are signed with key {}", key.getKeyID());
        return key;
    }

    /**
     * Users' credentials of local applications, encrypted at rest. Keys are read (and checked) now, so that a
     * malformed key stops the start; without any, the proxy runs and only a use of credentials fails.
     */
    private static UserCredentials userCredentials(Settings settings, DataSource dataSource) {
        CredentialKeys keys =
                CredentialKeys.fromSettings(key -> settings.optional(key).orElse(null));
        if (!keys.isEmpty()) {
            LOG.info(
                    "Local-application credentials are encrypted with key {} (readable: {})",
                    keys.currentId(),
                    String.join(", ", keys.ids()));
        }
        return new UserCredentials(dataSource, new CredentialCipher(keys), UserCredentials.DEFAULT_BATCH_SIZE);
    }
}
