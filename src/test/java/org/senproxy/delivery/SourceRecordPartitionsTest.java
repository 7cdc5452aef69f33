package org.senproxy.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.db.ProxySchema;
import org.senproxy.outbox.SourceKeysAccess;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.testing.TestPostgres;

/**
 * source_record partitioned by day of record time (migration V18): the migration moves an existing table's keys, the
 * retention drops whole day partitions past their retention and deletes the few keys left outside it one by one, and
 * deduplication holds across the DEFAULT partition and the day partitions made later.
 */
class SourceRecordPartitionsTest {

    private static final String SERIES = "urn:dev:x:1_power";
    private static final long DAY_US = 86_400_000_000L;
    /** Whether a key is inside its retention of 35 days (V18's rule): kept if either holds. */
    private static final String INSIDE =
            "(time_us >= source_record_horizon_us(35) OR taken_at >= now() - interval '35 days')";

    private final String url = TestPostgres.newDatabase("partitions");
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private void migrate() {
        PGSimpleDataSource dataSource = TestPostgres.dataSource(url);
        ProxySchema.migrate(dataSource, ProxySchema.DEFAULT);
    }

    private Retention retention() {
        PGSimpleDataSource dataSource = TestPostgres.dataSource(url);
        return new Retention(dataSource, () -> meters, 7, 35, 90, 3);
    }

    private void sql(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private long count(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    private static String partition(LocalDate day) {
        return "source_record_p" + day.toString().replace("-", "");
    }

    private boolean exists(String table) throws SQLException {
        return count("SELECT count(*) FROM pg_class WHERE relname = '" + table + "'") == 1;
    }

    /**
     * {@code rows} keys of one series with record times spread over the day {@code daysAgo} days ago (UTC; negative:
     * ahead), each taken at its record time, or {@code takenDaysAgo} days ago when that is not null.
     */
    private void keys(int rows, int daysAgo, Integer takenDaysAgo, String source) throws SQLException {
        long dayStart = today().minusDays(daysAgo).toEpochDay() * DAY_US;
        String taken = takenDaysAgo == null ? "to_timestamp(t / 1e6)" : "now() - interval '" + takenDaysAgo + " days'";
        sql("INSERT INTO source_record (source, name, time_us, taken_at, record)"
                + " SELECT '" + source + "', '" + SERIES + "', t, " + taken + ", '[]'"
                + " FROM (SELECT " + dayStart + " + g * (" + DAY_US + " / " + (rows + 1) + ") AS t"
                + " FROM generate_series(1, " + rows + ") g) AS k");
    }

    private List<Measurement> records(Instant... times) {
        List<String> json = new ArrayList<>();
        for (Instant t : times) {
            json.add("{\"n\":\"" + SERIES + "\",\"u\":\"W\",\"v\":1,\"t\":" + (t.toEpochMilli() / 1000.0) + "}");
        }
        return Senml.resolve(Senml.parseJson("[" + String.join(",", json) + "]"), 0);
    }

    private List<Measurement> take(List<Measurement> records) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, "postgres", "")) {
            return SourceKeysAccess.takeNew(c, "test-source", records);
        }
    }

    @Test
    void theMigrationMovesAnExistingTablesKeysIntoDayPartitionsAndTheDefaultOne() throws Exception {
        Flyway.configure()
                .dataSource(url, "postgres", "")
                .schemas(ProxySchema.DEFAULT)
                .createSchemas(true)
                .target("16")
                .load()
                .migrate();
        keys(5, 0, null, "s"); // today
        keys(4, 3, null, "s"); // 3 days ago
        keys(3, 40, null, "s"); // 40 days ago: a day partition of its own (the last 60 days' keep theirs)
        keys(2, 400, 2, "s"); // last year's, read two days ago: DEFAULT
        keys(1, -30, 0, "s"); // a month ahead: DEFAULT
        long before = count("SELECT count(*) FROM source_record");

        migrate();

        assertThat(count("SELECT count(*) FROM source_record"))
                .isEqualTo(before)
                .isEqualTo(15);
        assertThat(count("SELECT count(*) FROM " + partition(today()))).isEqualTo(5);
        assertThat(count("SELECT count(*) FROM " + partition(today().minusDays(3))))
                .isEqualTo(4);
        assertThat(count("SELECT count(*) FROM " + partition(today().minusDays(40))))
                .isEqualTo(3);
        assertThat(count("SELECT count(*) FROM source_record_default")).isEqualTo(3);
        // yesterday to a week ahead are made; days without keys further back are not
        for (int day = -1; day <= 7; day++) {
            assertThat(exists(partition(today().plusDays(day))))
                    .as("day %d", day)
                    .isTrue();
        }
        assertThat(exists(partition(today().minusDays(2)))).isFalse();
        assertThat(exists("source_record_unpartitioned")).isFalse();
        assertThat(count("SELECT count(*) FROM pg_indexes WHERE tablename = 'source_record'"
                        + " AND indexdef LIKE '%USING brin (taken_at)%'"))
                .isEqualTo(1);
        // the key still deduplicates, in a day partition and in the DEFAULT one
        assertThat(count("WITH k AS (INSERT INTO source_record (source, name, time_us)"
                        + " SELECT source, name, time_us FROM source_record ON CONFLICT DO NOTHING RETURNING 1)"
                        + " SELECT count(*) FROM k"))
                .isZero();
    }

    @Test
    void retentionDropsWholeDaysPastItAndDeletesTheKeysLeftOutsideItOnly() throws Exception {
        migrate();
        try (Connection c = DriverManager.getConnection(url, "postgres", "");
                Statement s = c.createStatement()) {
            for (int day = 40; day >= 30; day--) { // as a proxy running for weeks would have made them
                s.execute("SELECT source_record_make_partition(date '" + today().minusDays(day) + "')");
            }
        }
        for (int day = 40; day >= 30; day--) {
            keys(4, day, null, "s"); // each taken at its record's time
        }
        keys(2, 38, 1, "late"); // day 38, read yesterday: that day is kept, its other keys deleted one by one
        keys(3, 36, 36, "early"); // day 36, taken 36 days ago: goes with its day
        keys(2, 400, 40, "backfill"); // last year's, read 40 days ago: DEFAULT, deleted
        keys(2, 400, 2, "backfill-recent"); // last year's, read 2 days ago: DEFAULT, kept (re-reads still deduplicated)
        keys(1, -30, 40, "ahead"); // a month ahead (a forecast), taken 40 days ago: DEFAULT, kept until its day passes
        keys(3, 0, null, "s");
        sql("CREATE TABLE inside AS SELECT * FROM source_record WHERE " + INSIDE);
        long total = count("SELECT count(*) FROM source_record");
        long inside = count("SELECT count(*) FROM inside");
        assertThat(total - inside).as("keys outside their retention").isGreaterThan(20);

        Retention.Purged purged = retention().purge();

        // none outside kept, none inside lost
        assertThat(count("SELECT count(*) FROM source_record WHERE NOT " + INSIDE))
                .isZero();
        assertThat(count("SELECT count(*) FROM inside i WHERE NOT EXISTS (SELECT 1 FROM source_record r"
                        + " WHERE (r.name, r.time_us, r.source) = (i.name, i.time_us, i.source))"))
                .isZero();
        assertThat(count("SELECT count(*) FROM source_record")).isEqualTo(inside);
        assertThat(purged.sourceRecord()).isEqualTo(total - inside);
        assertThat(meters.find("senproxy.retention.deleted")
                        .tag("table", "source_record")
                        .counter()
                        .count())
                .isEqualTo(total - inside);
        // the days past the horizon went whole, but day 38 (a key taken yesterday); the horizon's day stays
        long horizonDay = count("SELECT source_record_horizon_us(35) / " + DAY_US);
        for (int day = 40; day >= 30; day--) {
            LocalDate d = today().minusDays(day);
            boolean past = d.toEpochDay() < horizonDay;
            assertThat(exists(partition(d))).as("partition of %s", d).isEqualTo(!past || day == 38);
        }
        assertThat(count("SELECT count(*) FROM " + partition(today().minusDays(38))))
                .isEqualTo(2);
        assertThat(count("SELECT count(*) FROM source_record_default")).isEqualTo(3);
        // the partitions ahead were made
        assertThat(exists(partition(today().plusDays(Retention.PARTITIONS_AHEAD_DAYS))))
                .isTrue();

        // a second run finds nothing; once the late key's retention is over too, its day goes whole
        assertThat(retention().purge().sourceRecord()).isZero();
        sql("UPDATE source_record SET taken_at = now() - interval '36 days' WHERE source = 'late'");
        assertThat(retention().purge().sourceRecord()).isEqualTo(2);
        assertThat(exists(partition(today().minusDays(38)))).isFalse();
    }

    @Test
    void aRecordOfADayWithoutPartitionIsTakenAndStaysDeduplicatedOnceItsPartitionIsMade() throws Exception {
        migrate();
        LocalDate far = today().plusDays(20); // beyond the partitions made ahead
        Instant t = far.atStartOfDay(ZoneOffset.UTC).plusSeconds(3600).toInstant();
        Instant u = t.plusSeconds(10);

        assertThat(take(records(t))).hasSize(1);
        assertThat(count("SELECT count(*) FROM source_record_default")).isEqualTo(1);
        assertThat(take(records(t, u))).hasSize(1); // t deduplicated in the DEFAULT partition, u new
        assertThat(exists(partition(far))).isFalse();

        sql("SELECT source_record_make_partition(date '" + far + "')");

        assertThat(count("SELECT count(*) FROM source_record_default")).isZero();
        assertThat(count("SELECT count(*) FROM " + partition(far))).isEqualTo(2);
        assertThat(take(records(t, u))).isEmpty(); // both deduplicated in their day's partition now
        assertThat(take(records(u.plusSeconds(10)))).hasSize(1);
        assertThat(count("SELECT count(*) FROM " + partition(far))).isEqualTo(3);
        // making it again changes nothing
        assertThat(count("SELECT count(*) FILTER (WHERE source_record_make_partition(date '" + far + "'))"))
                .isZero();
    }

    @Test
    void aRecordOfADayWhosePartitionWasDroppedLandsInTheDefaultOne() throws Exception {
        migrate();
        LocalDate old = today().minusDays(50);
        sql("SELECT source_record_make_partition(date '" + old + "')");
        keys(2, 50, null, "s");
        assertThat(retention().purge().sourceRecord()).isEqualTo(2);
        assertThat(exists(partition(old))).isFalse();

        // read again today (a re-read beyond keys-days): taken anew, kept 35 days from now, in the DEFAULT partition
        Instant t = old.atStartOfDay(ZoneOffset.UTC).plusSeconds(60).toInstant();
        assertThat(take(records(t))).hasSize(1);
        assertThat(take(records(t))).isEmpty();
        assertThat(count("SELECT count(*) FROM source_record_default")).isEqualTo(1);
        assertThat(retention().purge().sourceRecord()).isZero();
        assertThat(count("SELECT count(*) FROM source_record_default")).isEqualTo(1);
    }
}
