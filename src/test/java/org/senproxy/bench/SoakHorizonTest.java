package org.senproxy.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.senproxy.delivery.Retention;
import org.senproxy.testing.TestPostgres;

/**
 * The soak's horizon fill puts copies of a minute's finished rows in the band the retention's horizon crosses: the
 * retention then deletes one minute's copies per minute of the soak, no more (none of the real rows, none of the
 * copies still ahead of the horizon).
 */
class SoakHorizonTest {

    @Test
    void copiesAMinuteOfFinishedRowsIntoTheBandTheHorizonCrosses() throws Exception {
        String url = TestPostgres.newDatabase("soak_horizon");
        TestPostgres.migrate(url);
        Instant to;
        Instant from;
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            BenchFinished.consumer(s);
            // the soak's first minute: 60 messages finished, one a second, ending 2 s ago; one still pending
            String at = "now() - interval '62 seconds' + g * interval '1 second'";
            s.execute("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload,"
                    + " record_count, status, attempts, created_at, sent_at, acked_at, consent_ref)"
                    + " SELECT gen_random_uuid(), 'c' || g, 1, 'proxy-b@localhost', 'p', 10, 'acked', 1, " + at + ", "
                    + at + ", " + at + ", (SELECT ref FROM consent) FROM generate_series(0, 59) g");
            s.execute("INSERT INTO outbox (message_id, correlation_id, consumer_id, recipient_jid, payload,"
                    + " record_count) VALUES (gen_random_uuid(), 'pending', 1, 'proxy-b@localhost', 'p', 10)");
            s.execute("INSERT INTO inbox (sender_jid, message_id, correlation_id, format_version, payload,"
                    + " record_count, status, received_at, delivered_at)"
                    + " SELECT 'proxy-a@localhost', 'm' || g, 'c', 1, 'p', 10, 'delivered', " + at + ", " + at
                    + " FROM generate_series(0, 59) g");
            try (ResultSet rs = s.executeQuery("SELECT min(acked_at) FROM outbox")) {
                rs.next();
                from = rs.getTimestamp(1).toInstant();
                to = from.plusSeconds(60);
            }
        }

        // a soak of 5 minutes: 5 / 1 + 2 copies of the minute
        String line = SoakHorizon.fill(url, url, from, to, 7, 300);
        assertTrue(line.contains("420 outbox rows in A, 420 inbox rows in B"), line);
        SoakHorizon.Sizes sizes = SoakHorizon.sizes(url, url);
        // A and B are one database here, counted twice: outbox 61 + 420, inbox 60 + 420
        assertEquals(2 * (481 + 480), sizes.outboxRows() + sizes.inboxRows());

        // the first copy finished done-days before the real minute: past the horizon now; of the second, the rows of
        // the seconds between the minute's end and now (2 s, a few more on a slow machine)
        Retention.Purged purged =
                new Retention(TestPostgres.dataSource(url), SimpleMeterRegistry::new, 7, 35, 90, 1000).purge();
        assertTrue(purged.outbox() >= 62 && purged.outbox() <= 70, purged.toString());
        assertTrue(purged.inbox() >= 62 && purged.inbox() <= 70, purged.toString());
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FILTER (WHERE correlation_id <> 'bench-soak-horizon'),"
                        + " extract(epoch FROM min(acked_at) FILTER (WHERE correlation_id = 'bench-soak-horizon')"
                        + "   - (now() - interval '7 days')),"
                        + " extract(epoch FROM max(acked_at) FILTER (WHERE correlation_id = 'bench-soak-horizon')"
                        + "   - (now() - interval '7 days'))"
                        + " FROM outbox")) {
            rs.next();
            assertEquals(61, rs.getLong(1), "the real rows and the pending one are all kept");
            // the copies left span the horizon's next minutes (seconds from it): from the horizon (a moment past it
            // since the purge) to the six minutes the soak and a copy more need
            assertTrue(rs.getDouble(2) > -5 && rs.getDouble(2) < 1, rs.getString(2));
            assertTrue(rs.getDouble(3) > 340 && rs.getDouble(3) < 360, rs.getString(3));
        }
    }
}
