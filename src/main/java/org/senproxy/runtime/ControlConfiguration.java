package org.senproxy.runtime;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.senproxy.audit.AuditTrail;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.catalogue.Series;
import org.senproxy.consent.CatalogueOffers;
import org.senproxy.consent.ConsentRequests;
import org.senproxy.consent.ConsentSources;
import org.senproxy.federation.ControlChannel;
import org.senproxy.federation.ControlMessages;
import org.senproxy.federation.Enrollments;
import org.senproxy.federation.KeyRotation;
import org.senproxy.federation.OwnKeys;
import org.senproxy.observe.ConnectorMetrics;

/**
 * The control channel (issue 20): {@code control} (routes/control.camel.yaml and federation-inbound) carries the
 * control messages of enrollment, keys and consent requests; {@code controlUpkeep} keeps what follows from them
 * current on every replica: the key that signs, a rotation's switch, the sources of consents granted on request.
 */
final class ControlConfiguration {

    private ControlConfiguration() {}

    /** What the control timer does besides sending: each job in its own step, each failure logged by the route. */
    public static final class ControlUpkeep {
        private final OwnKeys keys;
        private final KeyRotation rotation;
        private final ConsentSources sources;
        private final CatalogueOffers offers;
        private final DataSource dataSource;

        ControlUpkeep(
                OwnKeys keys,
                KeyRotation rotation,
                ConsentSources sources,
                CatalogueOffers offers,
                DataSource dataSource) {
            this.keys = keys;
            this.rotation = rotation;
            this.sources = sources;
            this.offers = offers;
            this.dataSource = dataSource;
        }

        /** Switches a rotation once its peers acknowledged it, then signs with the key the database says is active. */
        public void keys() throws SQLException {
            rotation.advance();
            keys.refresh(dataSource);
        }

        /** Adds the sources that consents granted on request now cover. */
        public int sources() throws SQLException {
            return sources.reconcile();
        }

        /** Tells each enrolled peer of a change in this proxy's catalogue (a connector declaring a new series). */
        public int catalogue() throws SQLException {
            return offers.push();
        }
    }

    static ControlMessages bind(
            CamelContext context,
            Settings settings,
            DataSource dataSource,
            AuditTrail audit,
            FederationConfiguration federation,
            OwnKeys keys,
            Catalogue catalogue,
            ConnectorMetrics metrics)
            throws Exception {
        Duration maxAge = Duration.ofSeconds(settings.integer("senproxy.signing.max-age-s"));
        ControlMessages messages = new ControlMessages(
                        dataSource, audit, federation.jid().toString(), keys)
                .acceptingSignaturesFor(maxAge);
        Enrollments enrollments = new Enrollments(
                        messages, dataSource, audit, settings.integer("senproxy.enrollment.max-requests-per-hour"))
                .withCatalogue(() -> identifiers(catalogue));
        KeyRotation rotation =
                new KeyRotation(messages, dataSource, audit).onKeysChanged(federation.signatures()::forget);
        CatalogueOffers offers = new CatalogueOffers(messages, dataSource, audit, () -> offered(catalogue));
        messages.handling(enrollments)
                .handling(rotation)
                .handling(new ConsentRequests(messages, dataSource, audit))
                .handling(offers);
        ControlChannel control = new ControlChannel(
                messages,
                federation.link(),
                federation.jid().toString(),
                Clock.systemUTC(),
                100,
                settings.integer("senproxy.control.retry-ms") / 1000.0,
                settings.integer("senproxy.control.max-attempts"));
        context.getRegistry().bind("control", control);
        ConsentSources sources = new ConsentSources(dataSource, audit, () -> byConnector(catalogue));
        context.getRegistry().bind("controlUpkeep", new ControlUpkeep(keys, rotation, sources, offers, dataSource));
        if (keys.configured() != null) {
            keys.refresh(
                    dataSource); // after a restart, sign with the key a rotation made active, not the configured one
        }
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // Camel Main's metrics registry exists once the routes are started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                enrollments.bindTo(metrics.registry());
                messages.bindTo(metrics.registry());
            }
        });
        return messages;
    }

    /** The enrollment's answer: the catalogue, or nothing when it cannot be read (the changes follow). */
    private static List<String> identifiers(Catalogue catalogue) {
        try {
            return offered(catalogue);
        } catch (RuntimeException notReadable) {
            return List.of();
        }
    }

    /** What this proxy offers its peers: its series' identifiers, sorted, each once. */
    private static List<String> offered(Catalogue catalogue) {
        return CatalogueOffers.normal(
                catalogue.series().stream().map(Series::identifier).toList());
    }

    /** The series identifiers each connector declares. */
    private static Map<String, List<String>> byConnector(Catalogue catalogue) {
        Map<String, List<String>> declared = new LinkedHashMap<>();
        for (Series series : catalogue.series()) {
            declared.computeIfAbsent(series.connector(), c -> new java.util.ArrayList<>())
                    .add(series.identifier());
        }
        return declared;
    }
}
