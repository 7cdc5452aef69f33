package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.observe.ConnectorMetrics;
import org.senproxy.outbox.Watermarks;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlRecord;
import org.senproxy.testing.RouteHarness;

/**
 * routes/outbox-append.camel.yaml: a poll's SenML enters the outbox, one row per message per consumer, each source
 * record (source, name, time) once.
 */
class OutboxAppendRouteTest {

    private static final String POLL = "[{\"bn\":\"urn:dev:prm:1_\",\"n\":\"power\",\"u\":\"W\",\"v\":1},"
            + "{\"n\":\"power\",\"u\":\"W\",\"t\":-10,\"v\":2},{\"n\":\"energy\",\"u\":\"Wh\",\"v\":3},"
            + "{\"n\":\"energy\",\"u\":\"Wh\",\"t\":-10,\"v\":4},{\"n\":\"power\",\"u\":\"W\",\"t\":-20,\"v\":5}]";

    private RouteHarness harness;

    @BeforeEach
    void start() throws Exception {
        harness = new RouteHarness(Map.of("senproxy.outbox.max-records-per-message", "2"), "outbox-append.camel.yaml");
        harness.sql("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost'), ('c', 'proxy-c@localhost')");
        // b takes everything of test-source; c only the power series, under its own name
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'test-source', id FROM app WHERE name = 'b'");
        harness.sql(
                "INSERT INTO consumer (source, series_prefix, app_id, rename_from, rename_to)"
                        + " SELECT 'test-source', 'urn:dev:prm:1_power', id, 'urn:dev:prm:1_', 'urn:dev:site:42_' FROM app WHERE name = 'c'");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'other-source', id FROM app WHERE name = 'c'");
        harness.addSource("test-source").start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void writesOneRowPerMessagePerConsumerOfTheSource() throws Exception {
        harness.template().sendBody("direct:test-source", POLL);

        // b: 5 records in packs of 2 -> 3 rows; c: the 3 power records -> 2 rows
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE recipient_jid = 'proxy-b@localhost'"))
                .isEqualTo(3);
        assertThat(harness.count("SELECT sum(record_count) FROM outbox WHERE recipient_jid = 'proxy-b@localhost'"))
                .isEqualTo(5);
        assertThat(harness.count("SELECT sum(record_count) FROM outbox WHERE recipient_jid = 'proxy-c@localhost'"))
                .isEqualTo(3);
        assertThat(harness.text("SELECT string_agg(payload, '') FROM outbox WHERE recipient_jid = 'proxy-c@localhost'"))
                .contains("urn:dev:site:42_power")
                .doesNotContain("urn:dev:prm:1_")
                .doesNotContain("energy");
        assertThat(harness.count("SELECT count(DISTINCT correlation_id) FROM outbox"))
                .isOne();
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 0"))
                .isEqualTo(5);
    }

    @Test
    void recordsWithoutTimeAreStampedWithThePollTimeAndResolved() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        harness.template().sendBody("direct:test-source", POLL);
        String payload = harness.text(
                "SELECT payload FROM outbox WHERE recipient_jid = 'proxy-b@localhost' ORDER BY id LIMIT 1");
        assertThat(payload).doesNotContain("\"bn\"");
        // the first pack holds the two oldest records (chronological): poll time - 20 s and - 10 s
        List<SenmlRecord> records = Senml.parseJson(payload);
        assertThat(records).extracting(SenmlRecord::n).containsExactly("urn:dev:prm:1_power", "urn:dev:prm:1_power");
        assertThat(records.get(1).t() - records.get(0).t()).isEqualTo(10.0);
        assertThat(records.get(0).t()).isBetween(before - 21.0, before + 60.0);
    }

    @Test
    void invalidSenmlEntersNothing() throws Exception {
        String twoValues =
                "[{\"n\":\"urn:dev:prm:1_power\",\"v\":1},{\"n\":\"urn:dev:prm:1_power\",\"v\":2,\"vs\":\"x\"}]";
        assertThatThrownBy(() -> harness.template().sendBody("direct:test-source", twoValues))
                .hasStackTraceContaining("record 1");
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
    }

    @Test
    void anIndexThatGoesDownIsFlaggedWithAResetRecordAcrossPolls() throws Exception {
        String index = "urn:dev:prm:1_consumption/energy/active/index";
        harness.template()
                .sendBody(
                        "direct:test-source",
                        "[{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":1700000000,\"v\":1875395}," + "{\"n\":\"" + index
                                + "\",\"u\":\"Wh\",\"t\":1700000060,\"v\":1875400}]");
        assertThat(harness.text("SELECT string_agg(payload, '') FROM outbox")).doesNotContain("/reset");

        // the meter was replaced: its index starts again near 0, in this poll and after it (then grows again)
        harness.sql("DELETE FROM outbox");
        harness.template()
                .sendBody(
                        "direct:test-source",
                        "[{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":1700000120,\"v\":12},"
                                + "{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":1700000180,\"v\":15},"
                                + "{\"n\":\"urn:dev:prm:1_power\",\"u\":\"W\",\"t\":1700000180,\"v\":1}]");
        List<SenmlRecord> sent = new java.util.ArrayList<>();
        for (String payload : harness.text("SELECT string_agg(payload, '|' ORDER BY id) FROM outbox")
                .split("\\|")) {
            sent.addAll(Senml.parseJson(payload));
        }
        List<SenmlRecord> resets =
                sent.stream().filter(r -> r.n().endsWith("/reset")).toList();
        assertThat(resets).hasSize(1);
        assertThat(resets.get(0).n()).isEqualTo(index + "/reset");
        assertThat(resets.get(0).vb()).isTrue();
        assertThat(resets.get(0).t()).isEqualTo(1700000120.0);
        assertThat(sent.stream().filter(r -> r.n().equals(index)).map(SenmlRecord::v))
                .containsExactly(12.0, 15.0);
        assertThat(harness.text("SELECT value || '@' || time FROM index_state WHERE name = '" + index + "'"))
                .isEqualTo("15@1700000180");
    }

    @Test
    void aSourceNobodySubscribesToWritesNothing() throws Exception {
        harness.addSource("lonely-source");
        harness.template().sendBody("direct:lonely-source", POLL);
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
    }

    // Idempotent ingestion: a record's identity is (source, name, time); it enters the outbox once.

    private static final String SERIES = "urn:dev:prm:1_power";
    private static final long T0 = 1_700_000_000L;

    /** Records of SERIES at T0 + i seconds, valued i, for i from {@code first} to {@code last}. */
    private static String records(int first, int last) {
        return IntStream.rangeClosed(first, last)
                .mapToObj(i -> "{\"n\":\"" + SERIES + "\",\"u\":\"W\",\"t\":" + (T0 + i) + ",\"v\":" + i + "}")
                .collect(Collectors.joining(",", "[", "]"));
    }

    /** The values of SERIES in app b's rows (it takes every record of test-source), in the order they entered. */
    private List<Double> valuesForB() throws Exception {
        List<Double> values = new ArrayList<>();
        String payloads = harness.text("SELECT string_agg(payload, E'\\n' ORDER BY id) FROM outbox"
                + " WHERE recipient_jid = 'proxy-b@localhost'");
        if (payloads != null) {
            payloads.lines()
                    .forEach(p -> Senml.resolve(Senml.parseJson(p), 0).stream()
                            .filter(m -> m.name().equals(SERIES))
                            .map(Measurement::value)
                            .forEach(values::add));
        }
        return values;
    }

    private double meter(String name) {
        var counter = harness.context
                .getRegistry()
                .lookupByNameAndType("connectorMetrics", ConnectorMetrics.class)
                .registry()
                .find(name)
                .tag("connector", "test-source")
                .counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void theSamePayloadAppendedTwiceEntersOnce() throws Exception {
        harness.template().sendBody("direct:test-source", records(1, 10));
        long rows = harness.count("SELECT count(*) FROM outbox");
        harness.template().sendBody("direct:test-source", records(1, 10));

        assertThat(harness.count("SELECT count(*) FROM outbox"))
                .as("the second append writes no row")
                .isEqualTo(rows);
        assertThat(valuesForB()).containsExactly(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
        assertThat(harness.count("SELECT count(*) FROM source_record WHERE source = 'test-source'"))
                .isEqualTo(10);
        assertThat(meter("senproxy.source.records")).isEqualTo(10);
        assertThat(meter("senproxy.source.duplicates")).isEqualTo(10);
    }

    @Test
    void overlappingWindowsGiveEachRecordOnce() throws Exception {
        harness.template().sendBody("direct:test-source", records(1, 10));
        harness.template().sendBody("direct:test-source", records(5, 15));

        assertThat(valuesForB())
                .hasSize(15)
                .doesNotHaveDuplicates()
                .containsExactlyElementsOf(
                        IntStream.rangeClosed(1, 15).mapToObj(i -> (double) i).toList());
        assertThat(harness.count("SELECT sum(record_count) FROM outbox WHERE recipient_jid = 'proxy-b@localhost'"))
                .isEqualTo(15);
        assertThat(meter("senproxy.source.duplicates")).isEqualTo(6);
    }

    @Test
    void recordsOfOnePollThatShareAKeyKeepTheFirst() throws Exception {
        // the same series and time, to the microsecond the proxy keeps, twice in one poll; the energy record at the
        // same time is another series, and another source's record of the same series and time is another record
        harness.addSource("other-source");
        harness.template()
                .sendBody(
                        "direct:test-source",
                        "[{\"n\":\"" + SERIES + "\",\"t\":" + T0 + ",\"v\":1},"
                                + "{\"n\":\"" + SERIES + "\",\"t\":" + T0 + ".0000001,\"v\":2},"
                                + "{\"n\":\"urn:dev:prm:1_energy\",\"u\":\"Wh\",\"t\":" + T0 + ",\"v\":3}]");
        harness.template().sendBody("direct:other-source", "[{\"n\":\"" + SERIES + "\",\"t\":" + T0 + ",\"v\":4}]");

        assertThat(valuesForB()).containsExactly(1.0);
        assertThat(harness.count("SELECT sum(record_count) FROM outbox WHERE recipient_jid = 'proxy-b@localhost'"))
                .isEqualTo(2);
        assertThat(harness.text("SELECT payload FROM outbox WHERE recipient_jid = 'proxy-c@localhost'"
                        + " AND consumer_id = (SELECT id FROM consumer WHERE source = 'other-source')"))
                .contains("\"v\":4");
        assertThat(meter("senproxy.source.duplicates")).isEqualTo(1);
    }

    @Test
    void aPollOfOldRecordsOnlyWritesNoRowButMovesItsWatermark() throws Exception {
        harness.template().sendBodyAndHeader("direct:test-source", records(1, 5), Watermarks.NEXT_HEADER, "w1");
        long rows = harness.count("SELECT count(*) FROM outbox");
        assertThat(rows).isPositive();

        harness.template().sendBodyAndHeader("direct:test-source", records(1, 5), Watermarks.NEXT_HEADER, "w2");
        assertThat(harness.count("SELECT count(*) FROM outbox")).isEqualTo(rows);
        assertThat(harness.text("SELECT value FROM watermark WHERE source = 'test-source'"))
                .isEqualTo("w2");
        assertThat(meter("senproxy.source.polls")).isEqualTo(2);
    }

    @Test
    void twoAppendsOfTheSameRecordsAtOnceEnterThemOnce() throws Exception {
        // as two replicas that both received the same MQTT messages: each round, two threads append the same poll
        int rounds = 15;
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                String poll = records(round * 10 + 1, round * 10 + 10);
                CyclicBarrier start = new CyclicBarrier(2);
                List<Future<?>> appends = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    appends.add(threads.submit(() -> {
                        start.await();
                        harness.template().sendBody("direct:test-source", poll);
                        return null;
                    }));
                }
                for (Future<?> append : appends) {
                    append.get(30, TimeUnit.SECONDS);
                }
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(valuesForB()).hasSize(rounds * 10).doesNotHaveDuplicates();
        assertThat(meter("senproxy.source.records")).isEqualTo(rounds * 10);
        assertThat(meter("senproxy.source.duplicates")).isEqualTo(rounds * 10);
    }

    @Test
    void anAppendWaitsForAConcurrentAppendOfTheSameKeyThenDropsIt() throws Exception {
        // another replica's append has taken the key of record 3 and not committed yet
        try (Connection other = DriverManager.getConnection(harness.database, "postgres", "");
                Statement s = other.createStatement()) {
            other.setAutoCommit(false);
            s.execute("INSERT INTO source_record (source, name, time_us) VALUES ('test-source', '" + SERIES + "', "
                    + (T0 + 3) * 1_000_000L + ")");
            CompletableFuture<Void> append =
                    CompletableFuture.runAsync(() -> harness.template().sendBody("direct:test-source", records(1, 5)));
            harness.awaitLockWait();
            assertThat(append).as("waits on the other transaction's key").isNotDone();
            other.commit();
            append.get(30, TimeUnit.SECONDS);
        }
        assertThat(valuesForB()).containsExactly(1.0, 2.0, 4.0, 5.0);
        assertThat(meter("senproxy.source.duplicates")).isEqualTo(1);
    }

    @Test
    void aReadingReadAgainFlagsItsResetOnce() throws Exception {
        String index = "urn:dev:prm:1_consumption/energy/active/index";
        String before = "{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":" + T0 + ",\"v\":1875400}";
        String after = "{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":" + (T0 + 60) + ",\"v\":12}";
        harness.template().sendBody("direct:test-source", "[" + before + "]");
        harness.template().sendBody("direct:test-source", "[" + before + "," + after + "]");
        harness.template().sendBody("direct:test-source", "[" + before + "," + after + "]");

        List<SenmlRecord> sent = new ArrayList<>();
        for (String payload : harness.text("SELECT string_agg(payload, '|' ORDER BY id) FROM outbox"
                        + " WHERE recipient_jid = 'proxy-b@localhost'")
                .split("\\|")) {
            sent.addAll(Senml.parseJson(payload));
        }
        assertThat(sent).extracting(SenmlRecord::n).containsExactly(index, index, index + "/reset");
    }
}
