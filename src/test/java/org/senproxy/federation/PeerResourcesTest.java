package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.testing.TestPostgres;
import org.senproxy.testing.VysperTestServer;
import org.senproxy.testing.XmppTestServer;

/**
 * A replica is chosen by its peers once ready, not merely online (issue 21): held until its routes have started, it
 * neither announces itself nor answers a peer's announcement, though it follows the peers' presence; ready, it is
 * announced and chosen; stopping, the peers are told it is unavailable and choose it no more while its session is
 * still up; withdrawn while running (its database away), likewise until restored. Over a real XMPP server (embedded Vysper by default, SENPROXY_IT_XMPP for the others).
 */
class PeerResourcesTest {

    private static final String A = "presence-a@localhost";
    private static final String B = "presence-b@localhost";

    private XmppTestServer xmpp;
    private XMPPTCPConnection sessionA;
    private XMPPTCPConnection sessionB;
    private Peers peers;

    @BeforeEach
    void start() throws Exception {
        String database = TestPostgres.newDatabase("peer_resources");
        TestPostgres.migrate(database);
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('a', '" + A + "'), ('b', '" + B + "')");
        }
        PGSimpleDataSource db = TestPostgres.dataSource(database);
        peers = new Peers(db, Duration.ofMinutes(1));
        xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        xmpp.register("presence-a", "secret-a");
        xmpp.register("presence-b", "secret-b");
    }

    @AfterEach
    void stop() throws Exception {
        for (XMPPTCPConnection c : new XMPPTCPConnection[] {sessionA, sessionB}) {
            if (c != null) {
                c.disconnect();
            }
        }
        // a shared server (ejabberd, Prosody) stays up for the other tests; the embedded one goes
        if (xmpp instanceof VysperTestServer) {
            xmpp.stop();
        }
    }

    private XMPPTCPConnection session(String user, String password, PeerResources resources) throws Exception {
        return session(user, password, "replica-1", resources);
    }

    private XMPPTCPConnection session(String user, String password, String resource, PeerResources resources)
            throws Exception {
        XMPPTCPConnection connection = xmpp.session(user, password, resource);
        resources.attach(connection);
        connection.connect().login();
        return connection;
    }

    /** Where a sender's PeerResources addresses a data message for the peer's bare JID. */
    private static String addressed(PeerResources sender, String peer) throws Exception {
        return addressed(sender, peer, 1, 0);
    }

    /** The same for outbox row {@code row} at its {@code attempts}. */
    private static String addressed(PeerResources sender, String peer, long row, int attempts) throws Exception {
        Message message = new Message(JidCreate.from(peer), Message.Type.chat);
        message.setStanzaId("m-" + row);
        return sender.address(message, attempts, row).getTo().toString();
    }

    @Test
    void aReplicaIsChosenOnceReadyAndNoLongerOnceStopping() throws Exception {
        PeerResources b = new PeerResources(peers, B, true, 1);
        b.holdUntilReady();
        sessionB = session("presence-b", "secret-b", b);
        PeerResources a = new PeerResources(peers, A, true, 1);
        sessionA = session("presence-a", "secret-a", a);
        String replicaA = sessionA.getUser().toString();
        String replicaB = sessionB.getUser().toString();

        // B, held, follows A's announcement but neither announces itself nor answers it
        await().atMost(Duration.ofSeconds(10)).until(() -> addressed(b, A).equals(replicaA));
        Thread.sleep(1500); // an answer would have come by now
        assertThat(addressed(a, B)).as("B not ready: A sends to its bare JID").isEqualTo(B);

        b.ready();
        await().atMost(Duration.ofSeconds(10)).until(() -> addressed(a, B).equals(replicaB));

        b.stopping();
        await().atMost(Duration.ofSeconds(10)).until(() -> addressed(a, B).equals(B));
        assertThat(sessionB.isAuthenticated()).as("B's session is still up").isTrue();
    }

    @Test
    void aWithdrawnReplicaIsNotChosenUntilRestoredAndDoesNotAnswerMeanwhile() throws Exception {
        PeerResources b = new PeerResources(peers, B, true, 1);
        sessionB = session("presence-b", "secret-b", b);
        PeerResources a = new PeerResources(peers, A, true, 1);
        sessionA = session("presence-a", "secret-a", a);
        String replicaB = sessionB.getUser().toString();
        await().atMost(Duration.ofSeconds(10)).until(() -> addressed(a, B).equals(replicaB));

        // B's database away: A is told, while B's session stays up
        b.withdraw("the database is unreachable");
        assertThat(b.announced()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> addressed(a, B).equals(B));
        assertThat(sessionB.isAuthenticated()).as("B's session is still up").isTrue();

        // A logs in again meanwhile: its announcement is not answered by the withdrawn B
        sessionA.disconnect();
        PeerResources again = new PeerResources(peers, A, true, 1);
        sessionA = session("presence-a", "secret-a", again);
        Thread.sleep(1500); // an answer would have come by now
        assertThat(addressed(again, B))
                .as("B withdrawn: A sends to its bare JID")
                .isEqualTo(B);

        // back: announced to A again
        b.restore();
        assertThat(b.announced()).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> addressed(again, B).equals(replicaB));
    }

    @Test
    void consecutiveRowsGoToOneReplicaInRunsAndASendAgainToTheNext() throws Exception {
        XMPPTCPConnection second = null;
        try {
            sessionB = session("presence-b", "secret-b", "replica-1", new PeerResources(peers, B, true, 1));
            second = session("presence-b", "secret-b", "replica-2", new PeerResources(peers, B, true, 1));
            PeerResources a = new PeerResources(peers, A, true, 3);
            sessionA = session("presence-a", "secret-a", a);
            String one = sessionB.getUser().toString();
            String two = second.getUser().toString();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                Set<String> seen = new HashSet<>();
                for (long row = 0; row < 6; row++) {
                    seen.add(addressed(a, B, row, 0));
                }
                return seen.equals(Set.of(one, two));
            });
            List<String> rows = new ArrayList<>();
            for (long row = 0; row < 12; row++) {
                rows.add(addressed(a, B, row, 0));
            }
            String first = rows.get(0);
            String other = first.equals(one) ? two : one;
            assertThat(rows)
                    .as("runs of 3 consecutive rows, replica by replica")
                    .containsExactly(
                            first, first, first, other, other, other, first, first, first, other, other, other);
            assertThat(addressed(a, B, 0, 1)).as("row 0 sent again").isEqualTo(other);
            assertThat(addressed(a, B, 4, 1)).as("row 4 sent again").isEqualTo(first);
        } finally {
            if (second != null) {
                second.disconnect();
            }
        }
    }
}
