package org.senproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.testing.TestPostgres;

/** The queue gauges read the real tables, by status, and say NaN rather than 0 when the database is away. */
class QueueMetricsTest {

    private String url;
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final AtomicBoolean online = new AtomicBoolean();

    @BeforeEach
    void database() throws Exception {
        url = TestPostgres.newDatabase("metrics");
        TestPostgres.migrate(url);
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("INSERT INTO app (name, jid) VALUES ('b', 'proxy-b@localhost')");
            s.execute("INSERT INTO consumer (source, app_id) SELECT 'src', id FROM app");
            s.execute(
                    "INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload, record_count,"
                            + " status) SELECT gen_random_uuid(), 'c', (SELECT id FROM consumer), 'proxy-b@localhost', '[]', 1,"
                            + " status FROM unnest(ARRAY['pending','pending','pending','sent','sent','acked','dead']) AS status");
            s.execute(
                    "INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload, record_count,"
                            + " status) VALUES ('a', 'm1', 'c', 1, '[]', 1, 'pending'), ('a', 'm2', 'c', 1, '[]', 1, 'delivered')");
            s.execute("INSERT INTO dead_letter (origin, route_id, reason) VALUES ('outbox', 'r', 'x'),"
                    + " ('inbound', 'r', 'y'), ('inbound', 'r', 'z')");
        }
    }

    private double gauge(String name, String tag, String value) {
        return registry.find(name).tag(tag, value).gauge().value();
    }

    @Test
    void countsRowsByStatusAndDeadLettersByOrigin() {
        PGSimpleDataSource dataSource = TestPostgres.dataSource(url);
        new QueueMetrics(dataSource, online::get, Clock.systemUTC(), 0).bindTo(registry);

        assertThat(gauge("senproxy.outbox.rows", "status", "pending")).isEqualTo(3);
        assertThat(gauge("senproxy.outbox.rows", "status", "sent")).isEqualTo(2);
        assertThat(gauge("senproxy.outbox.rows", "status", "dead")).isEqualTo(1);
        assertThat(registry.find("senproxy.outbox.acks.pending").gauge().value())
                .isEqualTo(2);
        assertThat(gauge("senproxy.inbox.rows", "status", "pending")).isEqualTo(1);
        assertThat(gauge("senproxy.inbox.rows", "status", "dead")).isZero();
        assertThat(gauge("senproxy.dead.letters", "origin", "inbound")).isEqualTo(2);
        assertThat(gauge("senproxy.dead.letters", "origin", "inbox")).isZero();

        assertThat(registry.find("senproxy.xmpp.connected").gauge().value()).isZero();
        online.set(true);
        assertThat(registry.find("senproxy.xmpp.connected").gauge().value()).isEqualTo(1);
    }

    @Test
    void aDatabaseThatCannotBeReachedReadsNaN() {
        PGSimpleDataSource away = new PGSimpleDataSource();
        away.setUrl("jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1");
        new QueueMetrics(away, online::get, Clock.systemUTC(), 0).bindTo(registry);

        assertThat(gauge("senproxy.outbox.rows", "status", "pending")).isNaN();
    }
}
