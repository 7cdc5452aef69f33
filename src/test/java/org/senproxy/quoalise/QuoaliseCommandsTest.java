package org.senproxy.quoalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.apache.camel.impl.DefaultCamelContext;
import org.jivesoftware.smack.XMPPException.XMPPErrorException;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smack.roster.Roster;
import org.jivesoftware.smack.roster.RosterEntry;
import org.jivesoftware.smack.roster.packet.RosterPacket;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandManager;
import org.jivesoftware.smackx.commands.RemoteCommand;
import org.jivesoftware.smackx.xdata.Form;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.audit.AuditTrail;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.switches.Switches;
import org.senproxy.testing.TestPostgres;
import org.senproxy.testing.VysperTestServer;
import org.senproxy.testing.XmppTestServer;

/**
 * The Quoalise ad-hoc commands over a real XMPP server (embedded Vysper by default, SENPROXY_IT_XMPP for the others)
 * and a real database: a client app calls get_history and subscribe on the proxy's session; once the operator
 * suspends the app (the kill-switch), both are refused with {@code forbidden} and the operator's reason, at the
 * command's first stage as well as with a filled form, while unsubscribe is still served; resumed, it is answered
 * again.
 */
class QuoaliseCommandsTest {

    private static final String CLIENT = "quoalise-app@localhost";
    private static final String SERIES = "urn:dev:prm:1_power";

    private XmppTestServer xmpp;
    private XMPPTCPConnection proxy;
    private XMPPTCPConnection client;
    private Switches switches;

    @BeforeEach
    void start() throws Exception {
        String database = TestPostgres.newDatabase("quoalise_xmpp");
        TestPostgres.migrate(database);
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO source_record (source, name, time_us, record) VALUES ('ecodevices-source', '"
                    + SERIES + "', 1700000000000000, '[{\"n\":\"" + SERIES
                    + "\",\"u\":\"W\",\"t\":1700000000,\"v\":7}]')");
            s.execute("INSERT INTO app (name, jid) VALUES ('client', '" + CLIENT + "')");
            s.execute("INSERT INTO federated_user (external_id) VALUES ('owner')");
            s.execute("INSERT INTO consent (ref, user_id, app_id, scope, valid_from, valid_until, granted_by)"
                    + " SELECT gen_random_uuid(), u.id, a.id, 'urn:dev:prm:1_*', '2020-01-01T00:00:00Z',"
                    + " '2030-01-01T00:00:00Z', 'test' FROM federated_user u, app a");
        }
        PGSimpleDataSource db = TestPostgres.dataSource(database);
        AuditTrail audit = new AuditTrail(db, Clock.systemUTC());
        QuoaliseService service = new QuoaliseService(db, audit, "quoalise-proxy@localhost", 100);
        switches = new Switches(db, audit, Clock.systemUTC(), Duration.ZERO, List.of());
        service.obey(switches);

        xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        xmpp.register("quoalise-proxy", "proxy-secret");
        xmpp.register("quoalise-app", "client-secret");
        proxy = connection("quoalise-proxy", "proxy-secret");
        new QuoaliseCommands(service, new Catalogue(new DefaultCamelContext()), 60_000).register(proxy);
        proxy.connect().login();
        client = connection("quoalise-app", "client-secret");
        client.connect().login();
        // each in the other's roster: Vysper relays an IQ between two accounts only under a presence subscription
        Roster proxyRoster = Roster.getInstanceFor(proxy);
        Roster clientRoster = Roster.getInstanceFor(client);
        proxyRoster.createEntry(client.getUser().asBareJid(), "client", null);
        clientRoster.createEntry(proxy.getUser().asBareJid(), "proxy", null);
        await().atMost(Duration.ofSeconds(20)).until(() -> mutual(proxyRoster, client) && mutual(clientRoster, proxy));
    }

    private static boolean mutual(Roster roster, XMPPTCPConnection other) {
        RosterEntry entry = roster.getEntry(other.getUser().asBareJid());
        return entry != null && entry.getType() == RosterPacket.ItemType.both;
    }

    @AfterEach
    void stop() throws Exception {
        for (XMPPTCPConnection c : new XMPPTCPConnection[] {client, proxy}) {
            if (c != null) {
                c.disconnect();
            }
        }
        // a shared server (ejabberd, Prosody) stays up for the other tests; the embedded one goes
        if (xmpp instanceof VysperTestServer) {
            xmpp.stop();
        }
    }

    private XMPPTCPConnection connection(String user, String password) throws Exception {
        XMPPTCPConnection connection = xmpp.session(user, password, "quoalise-test");
        Roster.getInstanceFor(connection).setSubscriptionMode(Roster.SubscriptionMode.accept_all);
        return connection;
    }

    private RemoteCommand command(String node) {
        return AdHocCommandManager.getAddHocCommandsManager(client).getRemoteCommand(proxy.getUser(), node);
    }

    /** The filled form of a command on the series (get_history: its default window, up to now). */
    private static Form form(String... fieldsAndValues) {
        DataForm data = new DataForm(DataForm.Type.submit);
        for (int i = 0; i < fieldsAndValues.length; i += 2) {
            FormField field = new FormField(fieldsAndValues[i]);
            field.addValue(fieldsAndValues[i + 1]);
            data.addField(field);
        }
        return new Form(data);
    }

    private static StanzaError refusal(ThrowingCall call) {
        XMPPErrorException e = catchThrowableOfType(call::run, XMPPErrorException.class);
        assertThat(e).as("the command is refused").isNotNull();
        return e.getStanzaError();
    }

    @FunctionalInterface
    private interface ThrowingCall {
        void run() throws Exception;
    }

    @Test
    void aSuspendedAppIsRefusedGetHistoryAndSubscribeWithTheOperatorsReasonUntilResumed() throws Exception {
        RemoteCommand history = command("get_history");
        history.execute(form("identifier", SERIES, "start_time", "2023-11-14", "end_time", "2023-11-16"));
        assertThat(history.getStatus()).as("served while active").isEqualTo(AdHocCommand.Status.completed);

        switches.set(Switches.PEER, "client", false, "sends a request a second", "alice");

        StanzaError refused = refusal(() -> command("get_history")
                .execute(form("identifier", SERIES, "start_time", "2023-11-14", "end_time", "2023-11-16")));
        assertThat(refused.getCondition()).isEqualTo(StanzaError.Condition.forbidden);
        assertThat(refused.getDescriptiveText())
                .isEqualTo(CLIENT + " is suspended by this proxy's operator: sends a request a second;"
                        + " nothing is answered until it is resumed");
        // the first stage (no form yet) is refused as well, and subscribe like get_history
        assertThat(refusal(() -> command("get_history").execute()).getCondition())
                .isEqualTo(StanzaError.Condition.forbidden);
        StanzaError subscribe = refusal(() -> command("subscribe").execute(form("identifier", SERIES)));
        assertThat(subscribe.getCondition()).isEqualTo(StanzaError.Condition.forbidden);
        assertThat(subscribe.getDescriptiveText()).contains("sends a request a second");
        // unsubscribe only lessens what is sent once resumed: served (here, no subscription to end)
        StanzaError unsubscribe = refusal(() -> command("unsubscribe").execute(form("identifier", SERIES)));
        assertThat(unsubscribe.getCondition()).isEqualTo(StanzaError.Condition.item_not_found);

        switches.set(Switches.PEER, "client", true, null, "alice");
        RemoteCommand again = command("subscribe");
        again.execute(form("identifier", SERIES));
        assertThat(again.getStatus()).as("served once resumed").isEqualTo(AdHocCommand.Status.completed);
    }
}
