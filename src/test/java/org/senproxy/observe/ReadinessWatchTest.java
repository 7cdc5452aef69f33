package org.senproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.Test;
import org.senproxy.testing.TcpForwarder;
import org.senproxy.testing.TestPostgres;

/**
 * The database watch over a real pool (HikariCP, as the proxy's) on a real PostgreSQL, whose link is cut and restored:
 * down at the first check after the cut, though the pool would wait its whole connection timeout for a connection;
 * back only after the checks have passed for the settle time; each change told once.
 */
class ReadinessWatchTest {

    private static final Duration PERIOD = Duration.ofMillis(300);
    private static final Duration TIMEOUT = Duration.ofSeconds(2);
    private static final Duration SETTLE = Duration.ofMillis(1500);

    @Test
    void downAtTheFirstFailedCheckAndBackAfterTheSettleTime() throws Exception {
        String database = TestPostgres.newDatabase("readiness");
        ExecutorService checker = Executors.newSingleThreadExecutor();
        List<String> told = new CopyOnWriteArrayList<>();
        try (TcpForwarder link = new TcpForwarder(TestPostgres.server().getPort());
                HikariDataSource pool = pool(link.through(database))) {
            ReadinessWatch watch = new ReadinessWatch(
                    ConnectivityChecks.database(pool, 2),
                    checker,
                    TIMEOUT,
                    SETTLE,
                    why -> told.add("down: " + why),
                    () -> told.add("up"),
                    System::nanoTime);
            for (int i = 0; i < 3; i++) {
                watch.tick();
            }
            assertThat(told).as("up from the start: nothing to tell").isEmpty();

            link.cut();
            long cut = System.nanoTime();
            watch.tick();
            assertThat(watch.isDown())
                    .as("down at the first check after the cut")
                    .isTrue();
            assertThat(System.nanoTime() - cut).as("time to notice").isLessThan(TIMEOUT.toNanos());
            for (int i = 0; i < 3; i++) {
                watch.tick(); // the pool waiting for a connection (its 30 s): no answer in time, down, told once
            }
            assertThat(told).hasSize(1);
            assertThat(told.get(0)).startsWith("down: ");

            link.restore();
            long restored = System.nanoTime();
            while (watch.isDown()) {
                watch.tick();
                Thread.sleep(PERIOD.toMillis());
                assertThat(System.nanoTime() - restored)
                        .as("time to come back")
                        .isLessThan(Duration.ofSeconds(45).toNanos());
            }
            long back = System.nanoTime() - restored;
            assertThat(back).as("not before the settle time").isGreaterThanOrEqualTo(SETTLE.toNanos());
            assertThat(told).containsExactly(told.get(0), "up");
        } finally {
            checker.shutdownNow();
        }
    }

    /** The proxy's pool settings that matter here: HikariCP's defaults (a 30 s connection timeout). */
    private static HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername("postgres");
        config.setMaximumPoolSize(2);
        return new HikariDataSource(config);
    }
}
