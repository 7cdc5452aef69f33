package org.senproxy.federation;

import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import javax.sql.DataSource;

import com.nimbusds.jose.jwk.ECKey;
import org.jivesoftware.smack.packet.Message;
import org.jxmpp.jid.impl.JidCreate;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.audit.AuditTrail;
import org.senproxy.testing.TestPostgres;

/**
 * One proxy's control plane on its own empty database, without XMPP: what it has due is handed to another as the
 * stanzas the real codec writes and reads back, with the sender the XMPP server would authenticate.
 */
public final class ControlPeer {

    public final String jid;
    public final String url;
    public final DataSource dataSource;
    public final AuditTrail audit;
    public final ControlMessages control;
    public final Enrollments enrollments;
    public final KeyRotation rotation;

    public ControlPeer(String database, String jid, ECKey key, int maxRequestsPerHour) {
        this(database, jid, new OwnKeys(key, null), maxRequestsPerHour);
    }

    public ControlPeer(String database, String jid, OwnKeys keys, int maxRequestsPerHour) {
        this(TestPostgres.newDatabase(database), jid, keys, maxRequestsPerHour, true);
    }

    /** Another replica of {@code proxy}: the same database, address and keys. */
    public static ControlPeer replicaOf(ControlPeer proxy, int maxRequestsPerHour) {
        return new ControlPeer(proxy.url, proxy.jid, proxy.control.keys(), maxRequestsPerHour, false);
    }

    private ControlPeer(String url, String jid, OwnKeys keys, int maxRequestsPerHour, boolean migrate) {
        this.jid = jid;
        this.url = url;
        if (migrate) {
            TestPostgres.migrate(url);
        }
        PGSimpleDataSource ds = TestPostgres.dataSource(url);
        this.dataSource = ds;
        this.audit = new AuditTrail(ds, Clock.systemUTC());
        this.control = new ControlMessages(ds, audit, jid, keys);
        this.enrollments = new Enrollments(control, ds, audit, maxRequestsPerHour)
                .withCatalogue(() -> List.of("urn:dev:prm:1_power"));
        this.rotation = new KeyRotation(control, ds, audit);
        control.handling(enrollments).handling(rotation);
    }

    /** Adds another area's handler (consent requests). */
    public ControlPeer handling(Function<ControlPeer, ControlHandler> handler) {
        control.handling(handler.apply(this));
        return this;
    }

    public ControlMessages.Answer receive(ControlCodec.Received message) throws SQLException {
        return control.receive(message);
    }

    public List<ControlMessages.Outgoing> claim(int limit, double retrySeconds, int maxAttempts) throws SQLException {
        return control.claim(limit, retrySeconds, maxAttempts);
    }

    public void settle(ControlCodec.ControlAck ack) throws SQLException {
        control.settle(ack);
    }

    public String wirePayload(ControlMessages.Outgoing out, Clock clock) {
        return control.wirePayload(out, clock);
    }

    public Enrollments.Issued invite(String name, Duration validFor, String actor) throws SQLException {
        return enrollments.invite(name, validFor, actor);
    }

    public String join(Invitation invitation, String name, String actor) throws SQLException {
        return enrollments.join(invitation, name, actor);
    }

    public long rateLimitedCount() {
        return enrollments.rateLimitedCount();
    }

    /** Hands what this side has due to {@code to}, as stanzas; returns the answers (control-acks), settled. */
    public List<ControlMessages.Answer> deliverTo(ControlPeer to) throws Exception {
        List<ControlMessages.Answer> answers = new ArrayList<>();
        for (ControlMessages.Outgoing out : claim(10, 60, 5)) {
            Message stanza = ControlCodec.stanza(
                    out.peerJid(), jid, out.messageId(), out.type(), wirePayload(out, Clock.systemUTC()));
            stanza.setFrom(JidCreate.from(jid + "/proxy"));
            ControlMessages.Answer answer = to.receive(ControlCodec.decode(reparse(stanza)));
            answers.add(answer);
            Message ack = ControlCodec.ack(jid, out.messageId(), answer.accepted(), answer.reason());
            ack.setFrom(JidCreate.from(to.jid + "/proxy"));
            settle(ControlCodec.decodeAck(ack));
        }
        return answers;
    }

    /** A new P-256 key pair with key id {@code kid}. */
    public static ECKey generate(String kid) {
        try {
            return new com.nimbusds.jose.jwk.gen.ECKeyGenerator(com.nimbusds.jose.jwk.Curve.P_256)
                    .keyID(kid)
                    .generate();
        } catch (com.nimbusds.jose.JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first column of the first row {@code sql} reads in the database at {@code url}, or null. */
    public static String text(String url, String sql) throws SQLException {
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, "postgres", "");
                java.sql.Statement s = c.createStatement();
                java.sql.ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The stanza as the receiving side's Smack reads it: through its XML. */
    public static Message reparse(Message stanza) throws Exception {
        return (Message) org.jivesoftware.smack.util.PacketParserUtils.parseStanza(
                stanza.toXML(null).toString());
    }
}
