package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;

import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlRecord;
import org.senproxy.testing.RouteHarness;

/** routes/outbox-append.camel.yaml: a poll's SenML enters the outbox, one row per message per consumer. */
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
        harness.sql("INSERT INTO consumer (source, series_prefix, app_id, rename_from, rename_to)"
                + " SELECT 'test-source', 'urn:dev:prm:1_power', id, 'urn:dev:prm:1_', 'urn:dev:site:42_' FROM app WHERE name = 'c'");
        harness.sql("INSERT INTO consumer (source, app_id) SELECT 'other-source', id FROM app WHERE name = 'c'");
        harness.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:test-source").routeId("test-source").to("direct:outbox-append");
            }
        }).start();
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void writesOneRowPerMessagePerConsumerOfTheSource() throws Exception {
        harness.template().sendBody("direct:test-source", POLL);

        // b: 5 records in packs of 2 -> 3 rows; c: the 3 power records -> 2 rows
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE recipient_jid = 'proxy-b@localhost'")).isEqualTo(3);
        assertThat(harness.count("SELECT sum(record_count) FROM outbox WHERE recipient_jid = 'proxy-b@localhost'")).isEqualTo(5);
        assertThat(harness.count("SELECT sum(record_count) FROM outbox WHERE recipient_jid = 'proxy-c@localhost'")).isEqualTo(3);
        assertThat(harness.text("SELECT string_agg(payload, '') FROM outbox WHERE recipient_jid = 'proxy-c@localhost'"))
                .contains("urn:dev:site:42_power").doesNotContain("urn:dev:prm:1_").doesNotContain("energy");
        assertThat(harness.count("SELECT count(DISTINCT correlation_id) FROM outbox")).isOne();
        assertThat(harness.count("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 0")).isEqualTo(5);
    }

    @Test
    void recordsWithoutTimeAreStampedWithThePollTimeAndResolved() throws Exception {
        long before = System.currentTimeMillis() / 1000;
        harness.template().sendBody("direct:test-source", POLL);
        String payload = harness.text("SELECT payload FROM outbox WHERE recipient_jid = 'proxy-b@localhost' ORDER BY id LIMIT 1");
        assertThat(payload).doesNotContain("\"bn\"");
        // the first pack holds the two oldest records (chronological): poll time - 20 s and - 10 s
        List<SenmlRecord> records = Senml.parseJson(payload);
        assertThat(records).extracting(SenmlRecord::n).containsExactly("urn:dev:prm:1_power", "urn:dev:prm:1_power");
        assertThat(records.get(1).t() - records.get(0).t()).isEqualTo(10.0);
        assertThat(records.get(0).t()).isBetween(before - 21.0, before + 60.0);
    }

    @Test
    void invalidSenmlEntersNothing() throws Exception {
        String twoValues = "[{\"n\":\"urn:dev:prm:1_power\",\"v\":1},{\"n\":\"urn:dev:prm:1_power\",\"v\":2,\"vs\":\"x\"}]";
        assertThatThrownBy(() -> harness.template().sendBody("direct:test-source", twoValues))
                .hasStackTraceContaining("record 1");
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
    }

    @Test
    void anIndexThatGoesDownIsFlaggedWithAResetRecordAcrossPolls() throws Exception {
        String index = "urn:dev:prm:1_consumption/energy/active/index";
        harness.template().sendBody("direct:test-source",
                "[{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":1700000000,\"v\":1875395},"
                        + "{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":1700000060,\"v\":1875400}]");
        assertThat(harness.text("SELECT string_agg(payload, '') FROM outbox")).doesNotContain("/reset");

        // the meter was replaced: its index starts again near 0, in this poll and after it (then grows again)
        harness.sql("DELETE FROM outbox");
        harness.template().sendBody("direct:test-source",
                "[{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":1700000120,\"v\":12},"
                        + "{\"n\":\"" + index + "\",\"u\":\"Wh\",\"t\":1700000180,\"v\":15},"
                        + "{\"n\":\"urn:dev:prm:1_power\",\"u\":\"W\",\"t\":1700000180,\"v\":1}]");
        List<SenmlRecord> sent = new java.util.ArrayList<>();
        for (String payload : harness.text("SELECT string_agg(payload, '|' ORDER BY id) FROM outbox").split("\\|")) {
            sent.addAll(Senml.parseJson(payload));
        }
        List<SenmlRecord> resets = sent.stream().filter(r -> r.n().endsWith("/reset")).toList();
        assertThat(resets).hasSize(1);
        assertThat(resets.get(0).n()).isEqualTo(index + "/reset");
        assertThat(resets.get(0).vb()).isTrue();
        assertThat(resets.get(0).t()).isEqualTo(1700000120.0);
        assertThat(sent.stream().filter(r -> r.n().equals(index)).map(SenmlRecord::v)).containsExactly(12.0, 15.0);
        assertThat(harness.text("SELECT value || '@' || time FROM index_state WHERE name = '" + index + "'"))
                .isEqualTo("15@1700000180");
    }

    @Test
    void aSourceNobodySubscribesToWritesNothing() throws Exception {
        harness.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:lonely-source").routeId("lonely-source").to("direct:outbox-append");
            }
        });
        harness.template().sendBody("direct:lonely-source", POLL);
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
    }
}
