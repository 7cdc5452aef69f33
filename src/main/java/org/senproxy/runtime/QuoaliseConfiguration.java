package org.senproxy.runtime;

import java.time.Clock;
import java.time.Duration;

import javax.sql.DataSource;

import org.senproxy.audit.AuditTrail;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.quoalise.QuoaliseCommands;
import org.senproxy.quoalise.QuoaliseService;

/**
 * The Quoalise commands (get_history, subscribe...) that serve the catalogue's series over XMPP: registered on every
 * session the federation link opens, not bound as beans. The records they withhold count in the connectors' metrics;
 * the service returned obeys the kill-switch once it is bound (a suspended app is refused).
 */
final class QuoaliseConfiguration {

    private QuoaliseConfiguration() {}

    static QuoaliseService register(
            Settings settings,
            DataSource dataSource,
            AuditTrail audit,
            FederationConfiguration federation,
            Catalogue catalogue,
            ConnectorMetrics metrics) {
        QuoaliseService service = new QuoaliseService(
                dataSource,
                audit,
                federation.jid().toString(),
                settings.integer("senproxy.quoalise.max-history-records"),
                Duration.ofHours(settings.integer("senproxy.quoalise.default-history-hours")),
                identifier -> catalogue.find(identifier).isPresent(),
                Clock.systemUTC());
        service.countWithheld(metrics);
        QuoaliseCommands commands =
                new QuoaliseCommands(service, catalogue, settings.integer("senproxy.quoalise.max-stanza-chars"));
        federation.link().onConnection(commands::register);
        return service;
    }
}
