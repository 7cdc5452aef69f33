package org.senproxy.consent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.nimbusds.jose.jwk.ECKey;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jxmpp.jid.impl.JidCreate;
import org.senproxy.federation.ControlCodec;
import org.senproxy.federation.ControlMessages;
import org.senproxy.federation.ControlPeer;

/**
 * Consent requests between two enrolled proxies, the control stanzas written and read by the real codec: B asks, A's
 * operator approves (B subscribes by itself, A's sources follow the catalogue) or refuses (B is told why), A revokes
 * (B's subscription ends, with the reason); and each bad request refused with its reason.
 */
class ConsentRequestsTest {

    private static final String A = "holder-a@example.org";
    private static final String B = "monitor-b@example.org";
    static final String METER = "urn:dev:prm:09111642617347_";

    private final ECKey owner = ControlPeer.generate("owner");
    private ControlPeer a;
    private ControlPeer b;
    private ConsentRequests onA;
    private ConsentRequests onB;

    @BeforeEach
    void twoEnrolledProxies() throws Exception {
        a = new ControlPeer("consent_req_a", A, ControlPeer.generate("a-1"), 10)
                .handling(p -> new ConsentRequests(p.control, p.dataSource, p.audit));
        b = new ControlPeer("consent_req_b", B, ControlPeer.generate("b-1"), 10)
                .handling(p -> new ConsentRequests(p.control, p.dataSource, p.audit));
        onA = new ConsentRequests(a.control, a.dataSource, a.audit);
        onB = new ConsentRequests(b.control, b.dataSource, b.audit);
        b.join(a.invite("city-monitor", Duration.ofHours(1), "alice").invitation(), "data-holder", "bob");
        assertThat(b.deliverTo(a)).allMatch(ControlMessages.Answer::accepted);
        assertThat(a.deliverTo(b)).allMatch(ControlMessages.Answer::accepted);
    }

    private String ask() throws Exception {
        return ask(onB);
    }

    /** B asks data-holder for household-7's METER* from 2000 until 2099, for municipal energy monitoring. */
    static String ask(ConsentRequests onB) throws Exception {
        return onB.request(
                "data-holder",
                new ConsentRequests.Ask(
                        "household-7",
                        METER + "*",
                        null,
                        Instant.parse("2099-01-01T00:00:00Z"),
                        Instant.parse("2000-01-01T00:00:00Z"),
                        null,
                        "municipal energy monitoring"),
                "bob");
    }

    @Test
    void anApprovedRequestSubscribesTheAskerAndTheSourcesFollowTheCatalogue() throws Exception {
        String ref = ask();
        assertThat(b.deliverTo(a)).containsExactly(new ControlMessages.Answer(true, null));
        List<ConsentRequests.Listed> pending = onA.list(false);
        assertThat(pending).hasSize(1);
        assertThat(pending.get(0).ref()).isEqualTo(ref);
        assertThat(pending.get(0).direction()).isEqualTo("in");
        assertThat(pending.get(0).ask().purpose()).isEqualTo("municipal energy monitoring");

        String consent = onA.approve(ref, "alice", owner);
        assertThat(a.deliverTo(b)).containsExactly(new ControlMessages.Answer(true, null));
        assertThat(ControlPeer.text(
                        b.url, "SELECT consent_ref::text || ' ' || scope || ' ' || active FROM subscription"))
                .isEqualTo(consent + " " + METER + "* true");
        assertThat(ControlPeer.text(b.url, "SELECT status || ' ' || consent_ref FROM consent_request"))
                .isEqualTo("approved " + consent);
        assertThat(ControlPeer.text(a.url, "SELECT count(*) FROM consumer")).isEqualTo("0");

        // A's connectors whose declared series the scope covers send under it; the others do not
        ConsentSources sources = new ConsentSources(
                a.dataSource,
                a.audit,
                () -> Map.of(
                        "ecodevices-source", List.of(METER + "*"),
                        "zabbix-source", List.of("zabbix:*")));
        assertThat(sources.reconcile()).isEqualTo(1);
        assertThat(sources.reconcile()).isZero();
        assertThat(ControlPeer.text(a.url, "SELECT string_agg(source, ',') FROM consumer"))
                .isEqualTo("ecodevices-source");
        // a connector that starts declaring a covered series later is added too
        ConsentSources later = new ConsentSources(
                a.dataSource,
                a.audit,
                () -> Map.of(
                        "ecodevices-source", List.of(METER + "*"), "teleinfo-mqtt-source", List.of(METER + "EAST")));
        assertThat(later.reconcile()).isEqualTo(1);

        // revoked on A: B's subscription ends by itself, with the reason
        new Consents(a.dataSource, a.audit).revoke(consent, "the household moved", "alice", owner);
        assertThat(a.deliverTo(b)).containsExactly(new ControlMessages.Answer(true, null));
        assertThat(ControlPeer.text(b.url, "SELECT active || ' ' || end_reason FROM subscription"))
                .isEqualTo("false data-holder revoked the consent: the household moved");
        assertThat(ControlPeer.text(
                        b.url,
                        "SELECT string_agg(kind, ',' ORDER BY seq) FROM audit_log WHERE kind LIKE 'subscription%'"))
                .isEqualTo("subscription.added,subscription.ended");
    }

    @Test
    void aRefusedRequestIsToldWithItsReason() throws Exception {
        String ref = ask();
        b.deliverTo(a);
        onA.refuse(ref, "the household said no", "alice");
        assertThat(a.deliverTo(b)).containsExactly(new ControlMessages.Answer(true, null));
        assertThat(ControlPeer.text(b.url, "SELECT status || ': ' || reason FROM consent_request"))
                .isEqualTo("refused: the household said no");
        assertThat(ControlPeer.text(b.url, "SELECT count(*) FROM subscription")).isEqualTo("0");
        assertThatThrownBy(() -> onA.approve(ref, "alice", owner))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no pending consent request");
    }

    @Test
    void badRequestsAreRefusedWithTheirReason() throws Exception {
        // asking a peer that is not enrolled (registered by hand) is refused at once
        try (Connection c = DriverManager.getConnection(b.url, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('by-hand', 'other@example.org')");
        }
        assertThatThrownBy(() -> onB.request(
                        "by-hand",
                        new ConsentRequests.Ask("u", "*", null, Instant.parse("2099-01-01T00:00:00Z"), null, null, "x"),
                        "bob"))
                .hasMessageContaining("is not enrolled");
        assertThatThrownBy(() -> onB.request(
                        "data-holder",
                        new ConsentRequests.Ask("u", "*", null, Instant.parse("2099-01-01T00:00:00Z"), null, null, " "),
                        "bob"))
                .hasMessageContaining("purpose");

        // a grant for a request B never made
        Map<String, Object> grant = Map.of(
                "request", "7d5f2f0e-2d42-4bd0-9a41-5f8d8a3f1c11",
                "consent", "0f0e2f0e-2d42-4bd0-9a41-5f8d8a3f1c11",
                "user", "u",
                "scope", "*",
                "valid_from", "2026-01-01T00:00:00Z",
                "valid_until", "2099-01-01T00:00:00Z");
        Message stanza = ControlCodec.stanza(
                B,
                A,
                "g1",
                ControlCodec.CONSENT_GRANTED,
                ControlCodec.sign(
                        a.control.keys().current(),
                        A,
                        B,
                        "g1",
                        ControlCodec.CONSENT_GRANTED,
                        grant,
                        Clock.systemUTC()));
        stanza.setFrom(JidCreate.from(A + "/proxy"));
        ControlMessages.Answer answer = b.receive(ControlCodec.decode(stanza));
        assertThat(answer.reason()).contains("no consent request 7d5f2f0e-2d42-4bd0-9a41-5f8d8a3f1c11");
        assertThat(ControlPeer.text(b.url, "SELECT count(*) FROM subscription")).isEqualTo("0");
        assertThat(ControlPeer.text(b.url, "SELECT count(*) FROM audit_log WHERE kind = 'consent.message-refused'"))
                .isEqualTo("1");

        // a request with an empty period, signed properly: refused, nothing recorded as pending
        Map<String, Object> bad = Map.of(
                "request", "8d5f2f0e-2d42-4bd0-9a41-5f8d8a3f1c11",
                "user", "u",
                "scope", "*",
                "valid_from", "2099-01-01T00:00:00Z",
                "valid_until", "2098-01-01T00:00:00Z",
                "purpose", "p");
        Message request = ControlCodec.stanza(
                A,
                B,
                "r1",
                ControlCodec.CONSENT_REQUEST,
                ControlCodec.sign(
                        b.control.keys().current(), B, A, "r1", ControlCodec.CONSENT_REQUEST, bad, Clock.systemUTC()));
        request.setFrom(JidCreate.from(B + "/proxy"));
        assertThat(a.receive(ControlCodec.decode(request)).reason()).contains("is not after");
        assertThat(onA.list(true)).isEmpty();
    }
}
