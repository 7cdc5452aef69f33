package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.senproxy.testing.EcodevicesStub;
import org.senproxy.testing.ProxyProcess;
import org.senproxy.testing.TestPostgres;

/**
 * Two replicas of one proxy (same XMPP address, same database) poll their connector once per period between them,
 * not once each: the connectors' quartz triggers are clustered on the proxy's PostgreSQL. When the replica that
 * fires dies (SIGKILL), the other takes the trigger over.
 */
class ClusteredPollingIT {

    private static final int PERIOD_MS = 200;

    @Test
    void twoReplicasPollOnceAndTheSurvivorTakesOver() throws Exception {
        String database = TestPostgres.newDatabase("cluster");
        TestPostgres.migrate(database);
        try (EcodevicesStub box = new EcodevicesStub()) {
            ProxyProcess one =
                    new ProxyProcess("replica-1", settings(database, box, "r1"), Path.of("target", "cluster"));
            ProxyProcess two =
                    new ProxyProcess("replica-2", settings(database, box, "r2"), Path.of("target", "cluster"));
            try {
                one.start();
                two.start();
                await().atMost(Duration.ofSeconds(90))
                        .until(() -> count(database, "SELECT count(*) FROM qrtz_scheduler_state") == 2
                                && box.served().size() > 5);

                int before = box.served().size();
                Thread.sleep(6000);
                int polls = box.served().size() - before;
                System.out.printf(
                        "CLUSTER 2 replicas, period %d ms: %d polls in 6 s (%d expected once per cluster,"
                                + " %d if each replica polled)%n",
                        PERIOD_MS, polls, 6000 / PERIOD_MS, 2 * 6000 / PERIOD_MS);
                assertThat(polls).as("polls in 6 s").isBetween(6000 / PERIOD_MS / 2, 6000 / PERIOD_MS * 3 / 2);

                one.kill();
                long killed = System.nanoTime();
                int atKill = box.served().size();
                await().atMost(Duration.ofSeconds(60)).until(() -> box.served().size() >= atKill + 10);
                System.out.printf(
                        "CLUSTER one replica killed: polls going on %d ms later%n",
                        (System.nanoTime() - killed) / 1_000_000);
            } finally {
                one.close();
                two.close();
            }
        }
    }

    private static Map<String, String> settings(String database, EcodevicesStub box, String replica) {
        Map<String, String> settings = new HashMap<>();
        settings.put("senproxy.replica", replica);
        settings.put("senproxy.xmpp.jid", "proxy-c@localhost");
        settings.put("senproxy.xmpp.password", "not-used-here");
        settings.put("senproxy.xmpp.host", "127.0.0.1");
        settings.put("senproxy.xmpp.port", "1"); // no XMPP server: this test is about polling
        settings.put("senproxy.db.url", database);
        settings.put("senproxy.db.user", "postgres");
        settings.put("senproxy.db.pool-size", "4");
        settings.put("senproxy.cluster.checkin-interval-ms", "2000");
        settings.put("senproxy.connectors", "ecodevices-source");
        settings.put("ecodevices.address", box.address());
        settings.put("ecodevices.base-name", "urn:dev:prm:09111642617347_");
        settings.put("ecodevices.poll-interval-ms", Integer.toString(PERIOD_MS));
        return settings;
    }

    private static long count(String database, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
