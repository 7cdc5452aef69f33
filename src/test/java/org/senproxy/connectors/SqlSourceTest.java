package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.senml.Measurement;
import org.senproxy.testing.LogCapture;
import org.senproxy.testing.RouteHarness;
import org.senproxy.testing.TestPostgres;

/**
 * connectors/sql-source.camel.yaml against a building's own PostgreSQL database: rows become SenML records, each
 * poll reads only rows newer than the last one read (to the microsecond), and a poll with nothing new writes
 * nothing.
 */
class SqlSourceTest {

    private static final String QUERY = "SELECT meter || '_consumption/energy/active/index' AS series,"
            + " read_at AS time, kwh * 1000 AS value, 'Wh' AS unit FROM reading"
            + " WHERE read_at > CAST(:#since AS timestamptz) ORDER BY read_at LIMIT 1000";

    private RouteHarness harness;
    private PGSimpleDataSource building;
    private final LogCapture logs = new LogCapture("sql-source");

    @BeforeEach
    void start() throws Exception {
        building = new PGSimpleDataSource();
        building.setURL(TestPostgres.newDatabase("bmhs"));
        building.setUser("postgres");
        sql("CREATE TABLE reading (meter text, read_at timestamptz, kwh numeric)");
        harness = RouteHarness.forSource(
                "sql-source",
                Map.of(
                        "sql-source.query", QUERY,
                        "sql-source.base-name", "urn:dev:bmhs:school-12_",
                        "sql-source.datasource", "#bmhsDb",
                        "senproxy.source.retries", "1",
                        "senproxy.source.retry-first-ms", "10"));
        harness.context.getRegistry().bind("bmhsDb", building);
        harness.start();
    }

    @AfterEach
    void stop() {
        logs.close();
        harness.close();
    }

    private void sql(String statement) throws Exception {
        try (var c = building.getConnection();
                var s = c.createStatement()) {
            s.execute(statement);
        }
    }

    @Test
    void rowsBecomeRecordsAndEachPollReadsOnlyNewerRows() throws Exception {
        sql("INSERT INTO reading VALUES ('m1', '2023-04-01T00:00:00Z', 1875.395),"
                + " ('m1', '2023-04-01T00:30:00.000250Z', 1875.512)");
        harness.poll();

        List<Measurement> records = harness.outboxRecords();
        assertThat(records)
                .extracting(Measurement::name)
                .containsOnly("urn:dev:bmhs:school-12_m1_consumption/energy/active/index");
        assertThat(records).extracting(Measurement::value).containsExactly(1875395.0, 1875512.0);
        assertThat(records).extracting(Measurement::unit).containsOnly("Wh");
        assertThat(records.get(0).time()).isEqualTo(1680307200.0);
        assertThat(harness.text("SELECT value FROM watermark WHERE source = 'sql-source'"))
                .isEqualTo("2023-04-01T00:30:00.000250Z");

        // nothing new: nothing written, and the row 250 microseconds past the minute is not read again
        harness.poll();
        assertThat(harness.outboxRecords()).hasSize(2);

        sql("INSERT INTO reading VALUES ('m1', '2023-04-01T01:00:00Z', 1875.6)");
        harness.poll();
        assertThat(harness.outboxRecords())
                .hasSize(3)
                .last()
                .extracting(Measurement::value)
                .isEqualTo(1875600.0);
    }

    @Test
    void aQueryThatFailsEntersNothingAndKeepsTheWatermark() throws Exception {
        sql("DROP TABLE reading");
        harness.poll();
        assertThat(harness.count("SELECT count(*) FROM outbox")).isZero();
        assertThat(harness.count("SELECT count(*) FROM watermark")).isZero();
        assertThat(logs.warnings()).contains("sql-source: poll failed").contains("relation \"reading\" does not exist");
    }
}
