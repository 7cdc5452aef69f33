package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.testing.LocalFederation;
import org.senproxy.testing.ServerBinaries;

/**
 * Quoalise interoperability: an independent XMPP client stack, Debian's python3-slixmpp running
 * src/test/resources/quoalise/quoalise_client.py, discovers proxy A's commands, calls get_history, is refused what its
 * consent does not cover and malformed dates, subscribes, receives pushed data, unsubscribes. What it received is read
 * back here with ordinary SenML rules and compared with what A's connector took.
 */
class QuoaliseInteropIT {

    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static LocalFederation federation;

    @BeforeAll
    static void start() throws Exception {
        ServerBinaries.require(PYTHON.toString(), "python3");
        Process check = new ProcessBuilder(PYTHON.toString(), "-c", "import slixmpp")
                .redirectErrorStream(true)
                .start();
        if (check.waitFor() != 0) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("python3-slixmpp is missing (.ci/run installs it)");
            }
            Assumptions.abort("apt-get install -y python3-slixmpp to run this test");
        }
        // a small stanza limit, so that the history answer comes in parts: the result and messages that follow
        // Vysper, the embedded default, answers a disco#items query to a client's full JID itself (with nothing), then
        // drops slixmpp's session: this test needs a production server, as CI runs it (both of them)
        Assumptions.assumeTrue(
                List.of("ejabberd", "prosody").contains(System.getenv("SENPROXY_IT_XMPP")),
                "runs against ejabberd or Prosody (SENPROXY_IT_XMPP=ejabberd or prosody, as .ci/run sets it)");
        federation = LocalFederation.start(Map.of(
                "ecodevices.poll-interval-ms",
                "200",
                "senproxy.outbox.poll-interval-ms",
                "100",
                "senproxy.xmpp.reconnect-delay-s",
                "1",
                "senproxy.quoalise.max-stanza-chars",
                "1200"));
    }

    @AfterAll
    static void stop() throws Exception {
        if (federation != null) {
            federation.close();
        }
    }

    @Test
    void aSlixmppClientGetsHistorySubscribesAndReceivesPushedData() throws Exception {
        // A's connector yields some history; the client's app holds a consent over the meter's series at A
        long deadline = System.currentTimeMillis() + 60_000;
        while (federation.count(federation.databaseA, "SELECT count(DISTINCT time_us) FROM source_record") < 12
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
        }
        federation.polling(false);
        String identifier = federation.text(
                federation.databaseA,
                "SELECT name FROM source_record WHERE name LIKE '%power%' OR name LIKE '%papp%' ORDER BY name LIMIT 1");
        if (identifier == null) {
            identifier = federation.text(federation.databaseA, "SELECT min(name) FROM source_record");
        }
        String password = "client-" + Long.toHexString(System.nanoTime());
        federation.xmpp.register("quoalise-client", password);
        try (Connection c = DriverManager.getConnection(federation.databaseA, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('client', 'quoalise-client@localhost')");
            s.execute("INSERT INTO federated_user (external_id) VALUES ('owner-q') ON CONFLICT DO NOTHING");
            // the data period reaches back before the consent: the records A took before it was granted
            s.execute("INSERT INTO consent (ref, user_id, app_id, scope, valid_until, data_from, granted_by)"
                    + " SELECT gen_random_uuid(), u.id, a.id, '" + LocalFederation.METER
                    + "*', now() + interval '1 day',"
                    + " now() - interval '1 day', 'test' FROM federated_user u, app a"
                    + " WHERE u.external_id = 'owner-q' AND a.name = 'client'");
        }
        long stored = federation.count(
                federation.databaseA, "SELECT count(*) FROM source_record WHERE name = '" + identifier + "'");

        Path script = Files.createTempFile(Path.of("target"), "quoalise_client", ".py");
        Files.copy(
                Path.of("src/test/resources/quoalise/quoalise_client.py"), script, StandardCopyOption.REPLACE_EXISTING);
        Instant now = Instant.now();
        Process client = new ProcessBuilder(
                        PYTHON.toString(),
                        script.toString(),
                        "quoalise-client@localhost",
                        password,
                        federation.xmpp.host(),
                        Integer.toString(federation.xmpp.port()),
                        LocalFederation.jid(LocalFederation.A) + "/sen-proxy",
                        identifier,
                        now.minus(1, ChronoUnit.HOURS).toString(),
                        now.plus(1, ChronoUnit.MINUTES).toString(),
                        "urn:dev:prm:00000000000000_power",
                        "40")
                .redirectError(Path.of("target", "quoalise-client.log").toFile())
                .start();
        BlockingQueue<JsonNode> events = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(client.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null; line = out.readLine()) {
                    if (line.startsWith("{")) {
                        events.add(JSON.readTree(line));
                    }
                }
            } catch (Exception e) {
                // the process ended
            }
        });
        reader.setDaemon(true);
        reader.start();

        JsonNode commands = next(events, "commands");
        assertThat(commands.get("nodes").toString()).isEqualTo("[\"get_history\",\"subscribe\",\"unsubscribe\"]");

        JsonNode catalogue = next(events, "catalogue");
        assertThat(catalogue.get("series").toString()).contains(identifier);
        assertThat(catalogue.get("info").get("FORM_TYPE").asText()).isEqualTo("urn:quoalise:0:series");
        assertThat(catalogue.get("info").get("connector").asText()).isEqualTo("ecodevices-source");
        assertThat(catalogue.get("info").get("unit").asText()).isEqualTo("VA");

        JsonNode history = next(events, "history");
        assertThat(history.get("status").asText()).isEqualTo("completed");
        List<Measurement> records = new ArrayList<>(senml(history.get("sensml").asText()));
        String series = identifier;
        // the meta names the meter (an Enedis PRM) and the series, as the community client reads it
        assertThat(history.get("meta_identifier").asText())
                .isEqualTo(
                        LocalFederation.METER.substring("urn:dev:prm:".length(), LocalFederation.METER.length() - 1));
        assertThat(history.get("meta_authority").asText()).isEqualTo("enedis");
        assertThat(history.get("meta_measurement").asText()).isEqualTo(identifier);
        assertThat(history.get("meta_physical").toString()).contains("VA");
        printedBothWays(history, series);

        JsonNode notAuthorized = next(events, "error");
        assertThat(notAuthorized.get("condition").asText()).isEqualTo("not-authorized");
        assertThat(notAuthorized.get("text").asText())
                .as(notAuthorized.toString())
                .contains("no consent of quoalise-client@localhost in force"
                        + " covers urn:dev:prm:00000000000000_power");
        JsonNode badRequest = next(events, "error");
        assertThat(badRequest.get("condition").asText()).isEqualTo("bad-request");
        assertThat(badRequest.get("text").asText()).contains("start_time 'yesterday' is not an ISO 8601");

        // without start_time and end_time: the default window (the last 24 h), never an error
        JsonNode defaulted = next(events, "history_default");
        assertThat(defaulted.get("status").asText()).isEqualTo("completed");
        assertThat(defaulted.get("notes").toString()).contains("the default window");
        printedBothWays(defaulted, series);
        // times without an offset, as isoformat() writes a naive datetime: read as UTC, the same answer
        JsonNode naive = next(events, "history_naive");
        assertThat(naive.get("status").asText()).isEqualTo("completed");
        assertThat(naive.get("sensml").asText()).isEqualTo(history.get("sensml").asText());
        printedBothWays(naive, series);

        next(events, "subscribed");
        federation.polling(true);
        JsonNode pushed = next(events, "pushed");
        federation.polling(false);
        List<Measurement> pushedRecords = senml(pushed.get("sensml").asText());
        assertThat(pushedRecords)
                .isNotEmpty()
                .allSatisfy(m -> assertThat(m.name()).isEqualTo(series));
        // listen --format json and --format quoalise both print a pushed element
        printedBothWays(pushed, series);
        next(events, "unsubscribed");
        next(events, "done");
        // the parts of the history answer arrived as messages, each under the limit; with the result, every record
        List<JsonNode> parts = seen.stream()
                .filter(e -> e.get("event").asText().equals("part")
                        && e.get("phase").asText().equals("history"))
                .toList();
        assertThat(parts)
                .as("the answer was cut: " + history + " stored " + stored)
                .isNotEmpty();
        assertThat(history.get("notes").toString()).contains("message(s) that follow");
        for (JsonNode part : parts) {
            assertThat(part.get("sensml").asText().length()).isLessThan(1200);
            records.addAll(senml(part.get("sensml").asText()));
        }
        assertThat(records)
                .hasSize((int) stored)
                .allSatisfy(m -> assertThat(m.name()).isEqualTo(series));
        assertThat(client.waitFor(30, TimeUnit.SECONDS)).isTrue();

        // A pushed without waiting for an ack the client never sends, and audited each step
        assertThat(federation.count(
                        federation.databaseA,
                        "SELECT count(*) FROM outbox WHERE recipient_jid ="
                                + " 'quoalise-client@localhost' AND status <> 'acked'"))
                .isZero();
        assertThat(
                        federation.text(
                                federation.databaseA,
                                "SELECT string_agg(DISTINCT kind, ',' ORDER BY kind)"
                                        + " FROM audit_log WHERE kind IN ('transfer.history', 'subscription.requested', 'subscription.ended')"))
                .isEqualTo("subscription.ended,subscription.requested,transfer.history");
    }

    /**
     * The element as the community client's {@code --format json} (meta as a dictionary, records) and
     * {@code --format quoalise} (meta written back from that dictionary) print it: both, with the records of the series.
     */
    private static void printedBothWays(JsonNode element, String series) {
        assertThat(element.get("format_error").isNull())
                .as("the client's formats failed: " + element)
                .isTrue();
        JsonNode json = element.get("json");
        assertThat(json.get("meta")
                        .get("device")
                        .get("identifier")
                        .get("authority")
                        .asText())
                .isEqualTo("enedis");
        assertThat(json.get("records"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.get("name").asText()).isEqualTo(series));
        assertThat(element.get("quoalise").asText())
                .contains("<ns0:meta><ns0:device type=\"electricity-meter\">")
                .contains("name=\"" + series + "\"")
                .contains("sensml");
    }

    /** The records of a sensml element as the client got it, read with ordinary SenML rules. */
    private static List<Measurement> senml(String sensml) {
        return Senml.resolve(Senml.parseXml(sensml), 0);
    }

    /** Every event {@link #next} passed over, in order. */
    private static final List<JsonNode> seen = new ArrayList<>();

    private static JsonNode next(BlockingQueue<JsonNode> events, String kind) throws InterruptedException {
        while (true) {
            JsonNode event = events.poll(60, TimeUnit.SECONDS);
            if (event == null) {
                throw new AssertionError("no '" + kind + "' event from the slixmpp client within 60 s");
            }
            seen.add(event);
            if (event.get("event").asText().equals(kind)) {
                return event;
            }
            if (event.get("event").asText().equals("failed_auth")
                    || event.get("event").asText().equals("done")) {
                throw new AssertionError("the slixmpp client ended (" + event + ") before a '" + kind + "' event");
            }
        }
    }
}
