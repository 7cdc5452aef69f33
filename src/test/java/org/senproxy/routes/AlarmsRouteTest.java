package org.senproxy.routes;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import javax.sql.DataSource;

import org.apache.camel.component.mock.MockEndpoint;
import org.jivesoftware.smack.packet.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.observe.Alarms;
import org.senproxy.observe.Monitoring;
import org.senproxy.senml.Measurement;
import org.senproxy.testing.QuoaliseData;
import org.senproxy.testing.RouteHarness;

/**
 * routes/alarms.camel.yaml with the real teleinfo-mqtt-source connector (its MQTT subscription replaced by
 * direct:frame, so the test publishes frames itself) and outbox-append, on a real database; staleness-watch and
 * alarm-notify are triggered by the test, and the alarms' clock is the test's, so no test waits for time to pass.
 * A stale source alarm is raised once, then cleared when a new record comes; a threshold alarm likewise; each change
 * reaches the monitoring JID as SenML, in order, once the XMPP session is up.
 */
class AlarmsRouteTest {

    private static final String METER = "urn:dev:prm:09111642617347_";
    private static final String POWER = METER + "consumption/power/apparent/raw";
    private static final String STALE = "urn:dev:senproxy:proxy-a:localhost_connector/teleinfo-mqtt-source/alarm/stale";

    private RouteHarness harness;
    private TestClock clock;
    private Alarms alarms;
    private MockEndpoint xmpp;

    @BeforeEach
    void start() throws Exception {
        harness = harness(Map.of("senproxy.heartbeat.jid", "monitor@localhost"));
        // the proxy started an hour ago, by the alarms' clock
        clock = new TestClock(Instant.now().minus(Duration.ofHours(1)));
        alarms = new Alarms(
                harness.context.getRegistry().lookupByNameAndType("catalogue", Catalogue.class),
                harness.context.getRegistry().lookupByNameAndType("dataSource", DataSource.class),
                new Monitoring(RouteHarness.OWN_JID, "monitor@localhost"),
                3,
                clock);
        harness.replaceBean("alarms", alarms);
        harness.start();
        xmpp = harness.mock("xmpp");
    }

    private static RouteHarness harness(Map<String, String> monitoring) throws Exception {
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "teleinfo-mqtt.topic", "teleinfo/021728123456",
                "teleinfo-mqtt.base-name", METER,
                "teleinfo-mqtt.period-ms", "60000",
                "teleinfo-mqtt.power-above", "3000",
                "senproxy.alarms.stale-periods", "3"));
        settings.putAll(monitoring);
        RouteHarness harness = new RouteHarness(
                settings,
                "errors.camel.yaml",
                "outbox-append.camel.yaml",
                "source-gather.camel.yaml",
                "connectors/teleinfo-mqtt-source.camel.yaml",
                "alarms.camel.yaml");
        harness.replaceFrom("teleinfo-mqtt-source", "direct:frame");
        harness.replaceFrom("staleness-watch", "direct:staleness-watch");
        harness.replaceFrom("alarm-notify", "direct:alarm-notify");
        return harness;
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    private void frame(int papp, long time) {
        harness.template()
                .sendBody(
                        "direct:frame",
                        "{\"ADCO\":\"021728123456\",\"BASE\":\"001875395\",\"PAPP\":\"" + papp
                                + "\",\"IINST\":\"001\",\"PTEC\":\"TH..\",\"time\":" + time + "}");
    }

    private void checkStale() {
        harness.template().sendBody("direct:staleness-watch", null);
    }

    private void notifyMonitor() {
        harness.template().sendBody("direct:alarm-notify", null);
    }

    private Message sent(int index) {
        return xmpp.getExchanges().get(index).getIn().getBody(Message.class);
    }

    /** The alarm record of a change message (vb: raised or cleared) and its other records by name. */
    private static Map<String, Measurement> records(Message message) throws Exception {
        List<Measurement> records = QuoaliseData.senml(message, 0);
        return records.stream().collect(java.util.stream.Collectors.toMap(Measurement::name, m -> m));
    }

    @Test
    void aSourceThatYieldsNothingNewForThreePeriodsRaisesAnAlarmOnceThenClearsIt() throws Exception {
        clock.set(Instant.now());
        checkStale();
        assertThat(alarms.raised()).containsExactly(STALE);
        checkStale();
        notifyMonitor();
        assertThat(xmpp.getReceivedCounter())
                .as("raised once, not at every check")
                .isEqualTo(1);
        Message raised = sent(0);
        assertThat(raised.getTo().toString()).isEqualTo("monitor@localhost");
        assertThat(raised.getType())
                .as("kept by the server for an offline monitor")
                .isEqualTo(Message.Type.chat);
        assertThat(raised.getBody())
                .startsWith("sen-proxy proxy-a@localhost: alarm raised: teleinfo-mqtt-source"
                        + " has yielded nothing new for 3600 s (limit 180 s: 3 periods of 60 s)");
        Map<String, Measurement> records = records(raised);
        assertThat(records.get(STALE).boolValue()).isTrue();
        assertThat(records.get(STALE + "/limit").value()).isEqualTo(180.0);
        assertThat(records.get(STALE + "/limit").unit()).isEqualTo("s");
        assertThat(records.get("urn:dev:senproxy:proxy-a:localhost_connector/teleinfo-mqtt-source/silence")
                        .value())
                .isEqualTo(3600.0);

        // a record read again is nothing new: no key is taken for it
        frame(1000, 1_700_000_000L);
        harness.sql("UPDATE source_record SET taken_at = now() - interval '2 hours'");
        frame(1000, 1_700_000_000L);
        checkStale();
        assertThat(alarms.raised()).containsExactly(STALE);

        frame(1000, 1_700_000_060L);
        clock.set(Instant.now());
        checkStale();
        assertThat(alarms.raised()).isEmpty();
        notifyMonitor();
        assertThat(xmpp.getReceivedCounter()).isEqualTo(2);
        assertThat(sent(1).getBody())
                .isEqualTo("sen-proxy proxy-a@localhost: alarm cleared: teleinfo-mqtt-source"
                        + " yields new records again");
        assertThat(records(sent(1)).get(STALE).boolValue()).isFalse();

        // three periods later, nothing new again
        clock.set(Instant.now().plus(Duration.ofMinutes(3)).plusSeconds(5));
        checkStale();
        assertThat(alarms.raised()).containsExactly(STALE);
    }

    @Test
    void aValueAboveItsLimitRaisesAnAlarmOnceAndAValueWithinClearsIt() throws Exception {
        frame(2000, 1_700_000_000L);
        assertThat(alarms.raised()).isEmpty();
        frame(3500, 1_700_000_060L);
        assertThat(alarms.raised()).containsExactly(POWER + "/alarm/above");
        frame(3600, 1_700_000_120L);
        // while the session is down, changes wait
        harness.link.online(false);
        notifyMonitor();
        assertThat(xmpp.getReceivedCounter()).isZero();
        // a value read again from before the last one judged is not judged
        frame(1000, 1_700_000_090L);
        assertThat(alarms.raised()).containsExactly(POWER + "/alarm/above");
        frame(3000, 1_700_000_180L);
        assertThat(alarms.raised()).as("the limit itself is within").isEmpty();

        harness.link.online(true);
        notifyMonitor();
        assertThat(xmpp.getReceivedCounter()).as("raised once, cleared once").isEqualTo(2);
        assertThat(sent(0).getBody())
                .isEqualTo("sen-proxy proxy-a@localhost: alarm raised: " + POWER + " above 3000 VA");
        Map<String, Measurement> raised = records(sent(0));
        assertThat(raised.get(POWER + "/alarm/above").boolValue()).isTrue();
        assertThat(raised.get(POWER + "/alarm/above").time())
                .as("when the value was measured")
                .isEqualTo(1_700_000_060.0);
        assertThat(raised.get(POWER + "/alarm/above/limit").value()).isEqualTo(3000.0);
        assertThat(raised.get(POWER + "/alarm/above/limit").unit()).isEqualTo("VA");
        assertThat(raised).as("the measurement itself does not leave the proxy").doesNotContainKey(POWER);
        assertThat(sent(1).getBody())
                .isEqualTo("sen-proxy proxy-a@localhost: alarm cleared: " + POWER + " no longer above 3000 VA");
        Map<String, Measurement> cleared = records(sent(1));
        assertThat(cleared.get(POWER + "/alarm/above").boolValue()).isFalse();
        assertThat(cleared.get(POWER + "/alarm/above").time()).isEqualTo(1_700_000_180.0);

        notifyMonitor();
        assertThat(xmpp.getReceivedCounter()).as("each change sent once").isEqualTo(2);
        assertThat(harness.count("SELECT count(*) FROM source_record"))
                .as("the polls went on")
                .isEqualTo(20);
    }

    @Test
    void noMessageWithoutAMonitoringJidButTheAlarmIsStillKept() throws Exception {
        harness.close();
        harness = harness(Map.of()).start();
        xmpp = harness.mock("xmpp");
        Alarms unmonitored = harness.context.getRegistry().lookupByNameAndType("alarms", Alarms.class);
        frame(3500, 1_700_000_060L);
        assertThat(unmonitored.raised()).containsExactly(POWER + "/alarm/above");
        notifyMonitor();
        assertThat(xmpp.getReceivedCounter()).isZero();
        assertThat(unmonitored.pending()).isEmpty();
    }

    /** A clock the test sets. */
    private static final class TestClock extends Clock {
        private volatile Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
