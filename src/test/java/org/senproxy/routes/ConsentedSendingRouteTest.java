package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import org.apache.camel.component.mock.MockEndpoint;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.audit.AuditTrail;
import org.senproxy.audit.SignerKeys;
import org.senproxy.consent.Consents;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.senml.CanonicalRecords;
import org.senproxy.senml.Senml;
import org.senproxy.testing.RouteHarness;
import org.senproxy.testing.TestPostgres;

/**
 * The sending side under consents (senproxy.consent.required=true, the default): outbox-append takes only what a
 * consent in force covers, outbox-dispatch withholds what a revoked or expired consent covered, outbox-ack records each
 * transfer in the audit trail.
 */
class ConsentedSendingRouteTest {

    private static final String POLL = "[{\"bn\":\"urn:dev:prm:1_\",\"n\":\"power\",\"u\":\"W\",\"t\":1700000000,"
            + "\"v\":1},{\"n\":\"energy\",\"u\":\"Wh\",\"t\":1700000000,\"v\":3},"
            + "{\"bn\":\"urn:dev:prm:2_\",\"n\":\"power\",\"u\":\"W\",\"t\":1700000000,\"v\":9}]";

    private RouteHarness harness;
    private Consents consents;
    private ECKey operator;
    private ECKey proxyKey;

    @BeforeEach
    void start() throws Exception {
        proxyKey = new ECKeyGenerator(Curve.P_256).keyID("a-1").generate();
        Path keyFile = Files.createTempFile(Path.of("target"), "key-", ".jwk");
        Files.writeString(keyFile, proxyKey.toJSONString());
        harness = new RouteHarness(
                Map.of(
                        "senproxy.consent.required",
                        "true",
                        "senproxy.signing.key-file",
                        keyFile.toString(),
                        "senproxy.outbox.ack-timeout-ms",
                        "60000"),
                "outbox-append.camel.yaml",
                "outbox-dispatch.camel.yaml",
                "outbox-ack.camel.yaml");
        harness.replaceFrom("outbox-dispatch", "direct:dispatch");
        harness.addSource("meter").start();
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost'), ('c', 'proxy-c@localhost')");
        PGSimpleDataSource db = TestPostgres.dataSource(harness.database);
        consents = new Consents(db, new AuditTrail(db, Clock.systemUTC()));
        operator = new ECKeyGenerator(Curve.P_256).generate();
        // changes are signed by keys registered for their makers (keys trust): audit verify checks them so
        for (String actor : List.of("alice", "dpo")) {
            new SignerKeys(db, new AuditTrail(db, Clock.systemUTC()), Clock.systemUTC())
                    .trust(actor, operator.toPublicJWK(), null, null, "test");
        }
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    /**
     * A consent for a day, covering data measured since 2020 (the polls' records are from 2023), and its consumer of
     * "meter", caught up at once: nothing was read before it.
     */
    private String grant(String app, String scope) throws Exception {
        String ref = consents.grant(
                new Consents.Grant(
                        "household-7",
                        app,
                        scope,
                        null,
                        Instant.now().plus(1, ChronoUnit.DAYS),
                        Instant.parse("2020-01-01T00:00:00Z"),
                        null,
                        List.of("meter")),
                "alice",
                operator);
        dispatch(0);
        return ref;
    }

    /** Records at 2019-06-01 (before a 2020 data start) and 2023-11-14, of one series. */
    private static final String ACROSS_2020 = "[{\"bn\":\"urn:dev:prm:1_\",\"n\":\"power\",\"u\":\"W\","
            + "\"t\":1559347200,\"v\":19},{\"n\":\"power\",\"u\":\"W\",\"t\":1700000000,\"v\":23}]";

    @Test
    void aConsentFrom2020To2030NeverSendsA2019RecordAndCountsIt() throws Exception {
        consents.grant(
                new Consents.Grant(
                        "household-7",
                        "b",
                        "*",
                        Instant.parse("2020-01-01T00:00:00Z"),
                        Instant.parse("2030-01-01T00:00:00Z"),
                        List.of("meter")),
                "alice",
                operator);
        dispatch(0); // the consumer is caught up: nothing was read before it

        harness.template().sendBody("direct:meter", ACROSS_2020);

        assertThat(harness.text("SELECT record_count || ' ' || first_at || ' ' || last_at FROM outbox"))
                .isEqualTo("1 2023-11-14 22:13:20+00 2023-11-14 22:13:20+00");
        assertThat(harness.text("SELECT payload FROM outbox"))
                .doesNotContain("1559347200")
                .contains("23");
        List<Message> sent = dispatch(1);
        String sensml = sent.get(0)
                .getExtension("quoalise", "urn:quoalise:0")
                .toXML(null)
                .toString();
        assertThat(sensml).doesNotContain("1559347200");
        // the 2019 record was kept in source_record like every record read, and counted as withheld
        assertThat(harness.count("SELECT count(*) FROM source_record")).isEqualTo(2);
        ConnectorMetrics metrics =
                harness.context.getRegistry().lookupByNameAndType("connectorMetrics", ConnectorMetrics.class);
        assertThat(metrics.withheldByPath()).containsEntry("append", 1.0);
    }

    @Test
    void narrowingTheDataPeriodWithholdsWhatQueuedMessagesHoldOutsideItBeforeTheyAreSent() throws Exception {
        String ref = grant("b", "*");
        harness.template().sendBody("direct:meter", POLL); // 2023-11-14T22:13:20Z, 3 records
        harness.template()
                .sendBody(
                        "direct:meter",
                        POLL.replace(
                                "\"t\":1700000000,\"v\":9", "\"t\":1700000100,\"v\":9")); // 1 new record at 22:15:00
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'pending'"))
                .isEqualTo(2);

        Consents.Narrowed narrowed = consents.narrow(ref, Instant.ofEpochSecond(1_700_000_050L), null, "dpo", operator);
        assertThat(narrowed.queuedOutside()).isEqualTo(1);

        // the first message holds nothing inside: withheld whole, not a dead letter; the second goes as it is
        List<Message> sent = dispatch(1);
        assertThat(harness.text("SELECT status || ': ' || last_error FROM outbox WHERE record_count = 3"))
                .isEqualTo("revoked: 3 record(s) measured outside consent " + ref + "'s data period"
                        + " 2023-11-14T22:14:10Z .. (open)");
        assertThat(harness.count("SELECT count(*) FROM dead_letter")).isZero();
        String xml = sent.get(0)
                .getExtension("quoalise", "urn:quoalise:0")
                .toXML(null)
                .toString();
        assertThat(xml).contains("1700000100").doesNotContain("1700000000");
        assertThat(auditEntry("transfer.withheld").get("detail").get("records").asInt())
                .isEqualTo(3);
        assertThat(harness.context
                        .getRegistry()
                        .lookupByNameAndType("connectorMetrics", ConnectorMetrics.class)
                        .withheldByPath())
                .containsEntry("queued", 3.0);
    }

    @Test
    void aQueuedMessageAcrossTheNewStartIsTrimmedToItAndSignedForWhatItStillHolds() throws Exception {
        String ref = grant("b", "*");
        harness.template().sendBody("direct:meter", ACROSS_2020.replace("1559347200", "1699990000"));
        consents.narrow(ref, Instant.ofEpochSecond(1_699_995_000L), null, "dpo", operator);

        Message sent = dispatch(1).get(0);

        String payload = harness.text("SELECT payload FROM outbox");
        assertThat(harness.text("SELECT record_count || ' ' || status FROM outbox"))
                .isEqualTo("1 sent");
        assertThat(payload).contains("1700000000").doesNotContain("1699990000");
        String signature = ((StandardExtensionElement) sent.getExtension("envelope", "urn:senproxy:0"))
                .getAttributeValue("signature");
        assertThat(SignedJWT.parse(signature).getJWTClaimsSet().getClaim("senml_sha256"))
                .isEqualTo(CanonicalRecords.of(Senml.resolve(Senml.parseJson(payload), 0))
                        .digest());
        JsonNode narrowed = auditEntry("transfer.narrowed");
        assertThat(narrowed.get("detail").get("records_withheld").asInt()).isEqualTo(1);
        assertThat(narrowed.get("detail").get("records").asInt()).isEqualTo(1);
        assertThat(new AuditTrail(dataSource(), Clock.systemUTC()).verify().intact())
                .isTrue();
    }

    @Test
    void recordsReadBeforeAnyConsentAreHeldAndSentOnceAConsentCoversThemEachOnce() throws Exception {
        // the proxy runs before the data owner consents: the records are read, kept, and sent to nobody; one of them
        // (2019) is before the data period of the consent to come
        harness.template().sendBody("direct:meter", POLL);
        harness.template().sendBody("direct:meter", ACROSS_2020.replace("1700000000", "1700000000.5"));
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(harness.count("SELECT count(*) FROM source_record")).isEqualTo(5);

        ConnectorMetrics metrics =
                harness.context.getRegistry().lookupByNameAndType("connectorMetrics", ConnectorMetrics.class);
        assertThat(metrics.connectors()).singleElement().satisfies(c -> {
            assertThat(c.waitingForConsumer()).isTrue();
            assertThat(c.held()).isEqualTo(5.0);
        });

        // a consent covering one meter's series; its consumer is not caught up yet: a poll now waits for it too
        String ref = consents.grant(
                new Consents.Grant(
                        "household-7",
                        "b",
                        "urn:dev:prm:1_*",
                        null,
                        Instant.now().plus(1, ChronoUnit.DAYS),
                        Instant.parse("2020-01-01T00:00:00Z"),
                        null,
                        List.of("meter")),
                "alice",
                operator);
        harness.template().sendBody("direct:meter", POLL.replace("1700000000", "1700000100"));
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();

        // the next dispatch catches it up: the five records of meter 1 in the data period (not the 2019 one), in one
        // message, under the consent
        Message sent = dispatch(1).get(0);
        assertThat(harness.text("SELECT record_count || ' ' || consent_ref || ' ' || correlation_id FROM outbox"))
                .startsWith("5 " + ref + " catch-up-");
        assertThat(sent.getExtension("quoalise", "urn:quoalise:0").toXML(null).toString())
                .doesNotContain("urn:dev:prm:2_")
                .doesNotContain("1559347200");
        assertThat(harness.count("SELECT count(*) FROM consumer WHERE caught_up"))
                .isEqualTo(1);
        assertThat(auditEntry("consumer.caught_up").get("detail").get("records").asInt())
                .isEqualTo(5);

        // from now on outbox-append includes it; nothing is sent twice
        harness.template().sendBody("direct:meter", POLL.replace("1700000000", "1700000200"));
        dispatch(1);
        assertThat(harness.count("SELECT sum(record_count) FROM outbox")).isEqualTo(7);
        dispatch(0);
        assertThat(metrics.connectors())
                .singleElement()
                .satisfies(c -> assertThat(c.waitingForConsumer()).isFalse());
    }

    private List<Message> dispatch(int expected) throws Exception {
        MockEndpoint xmpp = harness.mock("xmpp");
        xmpp.reset();
        xmpp.expectedMessageCount(expected);
        harness.template().sendBody("direct:dispatch", null);
        xmpp.assertIsSatisfied();
        return xmpp.getExchanges().stream()
                .map(e -> e.getIn().getBody(Message.class))
                .toList();
    }

    @Test
    void onlyTheSeriesInTheConsentsScopeAreWrittenAndTheMessageNamesTheConsent() throws Exception {
        String ref = grant("b", "urn:dev:prm:1_*");
        // a consumer of c without a consent takes nothing
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'meter', id FROM app WHERE name = 'c'");

        harness.template().sendBody("direct:meter", POLL);

        assertThat(harness.text("SELECT string_agg(recipient_jid || ' ' || consent_ref || ' ' || record_count, ';')"
                        + " FROM outbox"))
                .isEqualTo("proxy-b@localhost " + ref + " 2");
        assertThat(harness.text("SELECT payload FROM outbox"))
                .contains("urn:dev:prm:1_power")
                .contains("urn:dev:prm:1_energy")
                .doesNotContain("urn:dev:prm:2_");

        Message sent = dispatch(1).get(0);
        StandardExtensionElement envelope = (StandardExtensionElement) sent.getExtension("envelope", "urn:senproxy:0");
        assertThat(envelope.getAttributeValue("consent")).isEqualTo(ref);
        assertThat(SignedJWT.parse(envelope.getAttributeValue("signature"))
                        .getJWTClaimsSet()
                        .getClaim("consent"))
                .isEqualTo(ref);
    }

    @Test
    void aConsentNotYetValidOrExpiredTakesNothing() throws Exception {
        grant("b", "*");
        harness.sql("UPDATE consent SET valid_from = now() + interval '1 hour'");
        harness.template().sendBody("direct:meter", POLL);
        harness.sql(
                "UPDATE consent SET valid_from = now() - interval '2 days', valid_until = now() - interval '1 day'");
        harness.template().sendBody("direct:meter", POLL.replace("1700000000", "1700000100"));

        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
    }

    @Test
    void revokingWithholdsEveryUnacknowledgedMessageAtOnceWithTheReason() throws Exception {
        String ref = grant("b", "*");
        harness.template().sendBody("direct:meter", POLL);
        dispatch(1); // written, waiting for its ack
        harness.template().sendBody("direct:meter", POLL.replace("1700000000", "1700000100")); // pending

        int withheld = consents.revoke(ref, "moved out", "alice", operator);

        assertThat(withheld).isEqualTo(2);
        assertThat(harness.text("SELECT string_agg(DISTINCT status || ': ' || last_error, ';') FROM outbox"))
                .isEqualTo("revoked: consent " + ref + " revoked by alice: moved out");
        harness.sql("UPDATE outbox SET next_attempt_at = now() - interval '1 second'");
        dispatch(0);
        harness.template().sendBody("direct:meter", POLL.replace("1700000000", "1700000200"));
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status <> 'revoked'"))
                .isZero();
        assertThatThrownBy(() -> consents.revoke(ref, "again", "alice", operator))
                .hasMessageContaining("no consent " + ref + " in force");

        JsonNode revoked = auditEntry("consent.revoked");
        assertThat(revoked.get("actor").asText()).isEqualTo("alice");
        assertThat(revoked.get("user").asText()).isEqualTo("household-7");
        assertThat(revoked.get("detail").get("messages_withheld").asInt()).isEqualTo(2);
        assertThat(revoked.get("signature").asText()).isNotBlank();
    }

    @Test
    void aConsentThatRunsOutWhileMessagesWaitHasThemWithheldWhenTheyComeDue() throws Exception {
        String ref = grant("b", "*");
        harness.template().sendBody("direct:meter", POLL);
        harness.sql(
                "UPDATE consent SET valid_from = now() - interval '2 days', valid_until = now() - interval '1 second'");

        dispatch(0);

        assertThat(harness.text("SELECT status || ': ' || last_error FROM outbox"))
                .startsWith("revoked: consent " + ref + " expired at ");
        JsonNode withheld = auditEntry("transfer.withheld");
        assertThat(withheld.get("consent").asText()).isEqualTo(ref);
        assertThat(withheld.get("detail").get("to").asText()).isEqualTo("proxy-b@localhost");
        assertThat(withheld.get("detail").get("records").asInt()).isEqualTo(3);
    }

    @Test
    void anAcknowledgedTransferIsAuditedWithItsSeriesPeriodConsentAndTheDigestItsSignatureBinds() throws Exception {
        String ref = grant("b", "*");
        harness.template().sendBody("direct:meter", POLL);
        Message sent = dispatch(1).get(0);

        harness.template()
                .sendBody(
                        "direct:outbox-ack",
                        Stanzas.accepted("proxy-b@localhost", RouteHarness.OWN_JID, sent.getStanzaId()));

        JsonNode entry = auditEntry("transfer.acknowledged");
        assertThat(entry.get("actor").asText()).isEqualTo(RouteHarness.OWN_JID);
        assertThat(entry.get("user").asText()).isEqualTo("household-7");
        assertThat(entry.get("consent").asText()).isEqualTo(ref);
        JsonNode detail = entry.get("detail");
        assertThat(detail.get("message").asText()).isEqualTo(sent.getStanzaId());
        assertThat(detail.get("to").asText()).isEqualTo("proxy-b@localhost");
        assertThat(detail.get("series").toString()).contains("urn:dev:prm:1_power", "urn:dev:prm:2_power");
        assertThat(detail.get("period").get("from").asText()).isEqualTo("2023-11-14T22:13:20Z");
        String signature = ((StandardExtensionElement) sent.getExtension("envelope", "urn:senproxy:0"))
                .getAttributeValue("signature");
        assertThat(detail.get("senml_sha256").asText())
                .isEqualTo(SignedJWT.parse(signature).getJWTClaimsSet().getClaim("senml_sha256"));
        assertThat(new AuditTrail(dataSource(), Clock.systemUTC()).verify().intact())
                .isTrue();
    }

    /**
     * outbox-append writes the digest of a message's records with its row (the audit description's senml_sha256), and
     * outbox-dispatch signs that digest rather than computing it again from the payload.
     */
    @Test
    void theSignatureBindsTheDigestWrittenWithTheRow() throws Exception {
        grant("b", "*");
        harness.template().sendBody("direct:meter", POLL);
        String payload = harness.text("SELECT payload FROM outbox");
        assertThat(harness.text("SELECT transfer::jsonb ->> 'senml_sha256' FROM outbox"))
                .isEqualTo(CanonicalRecords.of(Senml.resolve(Senml.parseJson(payload), 0))
                        .digest());

        // a row whose written digest is not its records' is signed with it, so the receiver would refuse it
        harness.sql("UPDATE outbox SET transfer = jsonb_set(transfer::jsonb, '{senml_sha256}', '\"not-its-digest\"')");
        Message sent = dispatch(1).get(0);
        String signature = ((StandardExtensionElement) sent.getExtension("envelope", "urn:senproxy:0"))
                .getAttributeValue("signature");
        assertThat(SignedJWT.parse(signature).getJWTClaimsSet().getClaim("senml_sha256"))
                .isEqualTo("not-its-digest");
    }

    private PGSimpleDataSource dataSource() {
        PGSimpleDataSource db = TestPostgres.dataSource(harness.database);
        return db;
    }

    private JsonNode auditEntry(String kind) throws Exception {
        StringWriter out = new StringWriter();
        new AuditTrail(dataSource(), Clock.systemUTC()).export(out, null, null);
        for (String line : out.toString().split("\n")) {
            JsonNode node = new ObjectMapper().readTree(line);
            if (node.get("kind").asText().equals(kind)) {
                return node;
            }
        }
        throw new AssertionError("no " + kind + " entry in " + out);
    }
}
