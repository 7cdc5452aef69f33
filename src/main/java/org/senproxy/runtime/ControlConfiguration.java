package org.senproxy.runtime;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.apache.camel.CamelContext;
import org.apache.camel.StartupListener;
import org.senproxy.audit.AuditTrail;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.catalogue.Series;
import org.senproxy.federation.ControlChannel;
import org.senproxy.federation.Enrollments;
import org.senproxy.observe.ConnectorMetrics;

/** The control channel (issue 20): {@code control} for routes/control.camel.yaml and federation-inbound. */
final class ControlConfiguration {

    private ControlConfiguration() {}

    static Enrollments bind(
            CamelContext context,
            Settings settings,
            DataSource dataSource,
            AuditTrail audit,
            FederationConfiguration federation,
            ECKey signingKey,
            Catalogue catalogue,
            ConnectorMetrics metrics)
            throws Exception {
        Enrollments enrollments = new Enrollments(
                        dataSource,
                        audit,
                        federation.jid().toString(),
                        signingKey,
                        settings.integer("senproxy.enrollment.max-requests-per-hour"))
                .acceptingSignaturesFor(Duration.ofSeconds(settings.integer("senproxy.signing.max-age-s")))
                .withCatalogue(() -> {
                    try {
                        return catalogue.series().stream()
                                .map(Series::identifier)
                                .toList();
                    } catch (RuntimeException notReadable) {
                        return List.of();
                    }
                });
        ControlChannel control = new ControlChannel(
                enrollments,
                federation.link(),
                federation.jid().toString(),
                Clock.systemUTC(),
                100,
                settings.integer("senproxy.control.retry-ms") / 1000.0,
                settings.integer("senproxy.control.max-attempts"));
        context.getRegistry().bind("control", control);
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
                // Camel Main's metrics registry exists once the routes are started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                enrollments.bindTo(metrics.registry());
            }
        });
        return enrollments;
    }
}
