package org.senproxy.quoalise;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;
import org.senproxy.audit.AuditTrail;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.switches.Switches;
import org.senproxy.testing.TestPostgres;

/** get_history, subscribe and unsubscribe against a real database: consents, stored series, errors, splitting. */
class QuoaliseServiceTest {

    private static final String CLIENT = "client@localhost";
    private static final String SERIES = "urn:dev:prm:1_power";

    private String database;
    private QuoaliseService service;

    @BeforeEach
    void database() throws Exception {
        database = TestPostgres.newDatabase("quoalise");
        TestPostgres.migrate(database);
        PGSimpleDataSource db = TestPostgres.dataSource(database);
        // now, as get_history sees it: shortly after the last stored record
        service = new QuoaliseService(
                db,
                new AuditTrail(db, Clock.systemUTC()),
                "proxy-a@localhost",
                5,
                Duration.ofHours(24),
                name -> name.equals(DECLARED),
                Clock.fixed(Instant.parse("2023-11-15T02:00:00Z"), ZoneOffset.UTC));
        StringBuilder records = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            // 2023-11-14T22:13:20Z + i * 30 min, under two series
            long t = 1_700_000_000L + i * 1800L;
            records.append(i == 0 ? "" : ",")
                    .append("('ecodevices-source', '")
                    .append(SERIES)
                    .append("', ")
                    .append(t * 1_000_000L)
                    .append(", '[{\"n\":\"")
                    .append(SERIES)
                    .append("\",\"u\":\"W\",\"t\":")
                    .append(t)
                    .append(",\"v\":")
                    .append(100 + i)
                    .append("}]')");
        }
        // 2019: before the consent's data period; another meter's series, outside the client's scope
        for (int i = 0; i < 3; i++) {
            long t = 1_546_300_800L + i * 1800L; // 2019-01-01T00:00:00Z + i * 30 min
            records.append(",('ecodevices-source', '")
                    .append(SERIES)
                    .append("', ")
                    .append(t * 1_000_000L)
                    .append(", '[{\"n\":\"")
                    .append(SERIES)
                    .append("\",\"u\":\"W\",\"t\":")
                    .append(t)
                    .append(",\"v\":")
                    .append(i)
                    .append("}]')");
        }
        records.append(",('ecodevices-source', 'urn:dev:prm:2_power', 1700000000000000,"
                + " '[{\"n\":\"urn:dev:prm:2_power\",\"u\":\"W\",\"t\":1700000000,\"v\":1}]')");
        sql(
                "INSERT INTO source_record (source, name, time_us, record) VALUES " + records,
                "INSERT INTO app (name, jid) VALUES ('client', '" + CLIENT + "')",
                "INSERT INTO federated_user (external_id) VALUES ('owner')",
                // access 2020-2030; the data period is the default one: from the access start, open end
                "INSERT INTO consent (ref, user_id, app_id, scope, valid_from, valid_until, granted_by)"
                        + " SELECT gen_random_uuid(), u.id, a.id, 'urn:dev:prm:1_*', '2020-01-01T00:00:00Z',"
                        + " '2030-01-01T00:00:00Z', 'test' FROM federated_user u, app a");
    }

    /** A series the catalogue declares, in the client's scope, with no record yet. */
    private static final String DECLARED = "urn:dev:prm:1_voltage";

    private void sql(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }

    private String text(String query) throws SQLException {
        try (Connection c = DriverManager.getConnection(database, "postgres", "");
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(query)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    @Test
    void historyIsTheStoredSeriesOverTheHalfOpenPeriodAuditedUnderTheConsent() throws Exception {
        QuoaliseService.History h =
                service.history(CLIENT, SERIES, "2023-11-14T23:13:20+01:00", "2023-11-15T00:13:20Z");
        assertThat(h.records()).extracting(Measurement::value).containsExactly(100.0, 101.0, 102.0, 103.0);
        assertThat(h.truncated()).isFalse();
        assertThat(text("SELECT kind || ' ' || user_ref || ' ' || (consent_ref IS NOT NULL) FROM audit_log"))
                .isEqualTo("transfer.history owner true");
        assertThat(text("SELECT detail FROM audit_log"))
                .contains("\"to\":\"" + CLIENT + "\"")
                .contains("\"records\":4");

        QuoaliseService.History all = service.history(CLIENT, SERIES, "2023-11-14", "2023-11-16");
        assertThat(all.records()).hasSize(5);
        assertThat(all.truncated()).as("8 stored, at most 5 per answer").isTrue();
    }

    @Test
    void refusalsSayWhy() {
        assertThatThrownBy(() -> service.history("stranger@localhost", SERIES, "2023-11-14", "2023-11-16"))
                .isInstanceOf(QuoaliseError.class)
                .hasMessageContaining("holds no consent in force here")
                .extracting(e -> ((QuoaliseError) e).condition())
                .isEqualTo(QuoaliseError.Condition.NOT_AUTHORIZED);
        assertThatThrownBy(() -> service.history(CLIENT, "urn:dev:prm:2_power", "2023-11-14", "2023-11-16"))
                .hasMessageContaining("no consent of client@localhost in force covers urn:dev:prm:2_power");
        assertThatThrownBy(() -> service.history(CLIENT, "bad name!", "2023-11-14", "2023-11-16"))
                .extracting(e -> ((QuoaliseError) e).condition())
                .isEqualTo(QuoaliseError.Condition.BAD_REQUEST);
        assertThatThrownBy(() -> service.history(CLIENT, SERIES, "2023-11-16", "2023-11-14"))
                .hasMessageContaining("is not before end_time");
        assertThatThrownBy(() -> service.history(CLIENT, SERIES, "last tuesday", "2023-11-14"))
                .hasMessageContaining("start_time 'last tuesday' is not an ISO 8601 date or date-time")
                .extracting(e -> ((QuoaliseError) e).condition())
                .isEqualTo(QuoaliseError.Condition.BAD_REQUEST);
        assertThatThrownBy(() -> service.subscribe(CLIENT, "urn:dev:prm:1_energy"))
                .hasMessageContaining("no series urn:dev:prm:1_energy here")
                .extracting(e -> ((QuoaliseError) e).condition())
                .isEqualTo(QuoaliseError.Condition.ITEM_NOT_FOUND);
        assertThatThrownBy(() -> service.unsubscribe(CLIENT, SERIES)).hasMessageContaining("has no subscription");
    }

    @Test
    void aConsentFrom2020NeverAnswers2019DataWhateverPeriodIsAskedAndSaysHowManyItLeftOut() throws Exception {
        QuoaliseService.History h = service.history(CLIENT, SERIES, "2018-01-01", "2023-11-16");
        assertThat(h.records())
                .hasSize(5)
                .allSatisfy(m -> assertThat(m.instant()).isAfterOrEqualTo(Instant.parse("2020-01-01T00:00:00Z")));
        assertThat(h.outsideDataPeriod()).isEqualTo(3);
        assertThat(QuoaliseCommands.notes(h, 1))
                .anySatisfy(note -> assertThat(note)
                        .isEqualTo("3 record(s) measured"
                                + " outside the consent's data period (2020-01-01T00:00:00Z .. (open)) were left out"));
        assertThat(service.history(CLIENT, SERIES, "2019-01-01", "2019-01-02").records())
                .isEmpty();
        assertThat(text("SELECT detail FROM audit_log ORDER BY seq LIMIT 1"))
                .contains("\"outside_data_period\":3")
                .contains("\"data_period\":\"2020-01-01T00:00:00Z .. (open)\"");

        // a data period narrower than the access: 2023-11-14T23:00 .. 2023-11-15T00:00
        sql("UPDATE consent SET data_from = '2023-11-14T23:00:00Z', data_until = '2023-11-15T00:00:00Z'");
        assertThat(service.history(CLIENT, SERIES, "2018-01-01", "2030-01-01").records())
                .extracting(Measurement::value)
                .containsExactly(102.0, 103.0);
    }

    @Test
    void withoutAPeriodTheAnswerIsTheDefaultWindowUpToNowAndSaysSo() throws Exception {
        QuoaliseService.History h = service.history(CLIENT, SERIES, null, null);
        assertThat(h.records()).hasSize(5);
        assertThat(h.truncated()).isTrue();
        assertThat(h.from()).isEqualTo(Instant.parse("2023-11-14T02:00:00Z"));
        assertThat(h.to()).isEqualTo(Instant.parse("2023-11-15T02:00:00Z"));
        assertThat(QuoaliseCommands.notes(h, 1))
                .containsExactly(
                        "5 records; later records were left out: ask for a shorter period",
                        "period 2023-11-14T02:00:00Z .. 2023-11-15T02:00:00Z (no start_time or end_time: the default window)");
        // one bound alone: a start answers up to now, an end the window before it
        assertThat(service.history(CLIENT, SERIES, "2023-11-15T01:00:00Z", "").records())
                .extracting(Measurement::value)
                .containsExactly(106.0, 107.0);
        assertThat(service.history(CLIENT, SERIES, null, "2023-11-14T23:13:20Z").records())
                .extracting(Measurement::value)
                .containsExactly(100.0, 101.0);
    }

    @Test
    void aTimeWithoutAnOffsetIsUtc() throws Exception {
        // what Python's datetime.isoformat() writes for a naive time, with and without microseconds
        assertThat(service.history(CLIENT, SERIES, "2023-11-14T22:13:20", "2023-11-14T23:13:20.000001")
                        .records())
                .extracting(Measurement::value)
                .containsExactly(100.0, 101.0, 102.0);
        assertThat(QuoaliseService.instant("start_time", "2023-11-14T22:13"))
                .isEqualTo(Instant.parse("2023-11-14T22:13:00Z"));
    }

    @Test
    void anUnknownSeriesIsNotFoundInsideTheScopeAndNotAuthorizedOutsideItWhetherItExistsOrNot() throws Exception {
        assertThatThrownBy(() -> service.history(CLIENT, "urn:dev:prm:1_energy", null, null))
                .hasMessageContaining("no series urn:dev:prm:1_energy here")
                .extracting(e -> ((QuoaliseError) e).condition())
                .isEqualTo(QuoaliseError.Condition.ITEM_NOT_FOUND);
        // declared by a connector, no record yet: it exists, the answer is empty
        assertThat(service.history(CLIENT, DECLARED, null, null).records()).isEmpty();
        for (String outside : List.of("urn:dev:prm:2_power", "urn:dev:prm:3_nothing")) {
            assertThatThrownBy(() -> service.history(CLIENT, outside, null, null))
                    .hasMessage("no consent of client@localhost in force covers " + outside)
                    .extracting(e -> ((QuoaliseError) e).condition())
                    .isEqualTo(QuoaliseError.Condition.NOT_AUTHORIZED);
        }
    }

    @Test
    void aSuspendedAppIsRefusedHistoryAndSubscriptionsWithTheReasonButMayUnsubscribe() throws Exception {
        PGSimpleDataSource db = TestPostgres.dataSource(database);
        AuditTrail audit = new AuditTrail(db, Clock.systemUTC());
        Switches switches = new Switches(db, audit, Clock.systemUTC(), Duration.ZERO, List.of());
        service.obey(switches);
        service.subscribe(CLIENT, SERIES);
        switches.set(Switches.PEER, "client", false, "too many requests", "alice");

        assertThatThrownBy(() -> service.history(CLIENT, SERIES, "2023-11-14", "2023-11-16"))
                .hasMessage(CLIENT + " is suspended by this proxy's operator: too many requests; nothing is answered"
                        + " until it is resumed")
                .extracting(e -> ((QuoaliseError) e).condition())
                .isEqualTo(QuoaliseError.Condition.FORBIDDEN);
        // before any other check: a malformed request is refused for the suspension too
        assertThatThrownBy(() -> service.subscribe(CLIENT, "bad name!"))
                .extracting(e -> ((QuoaliseError) e).condition())
                .isEqualTo(QuoaliseError.Condition.FORBIDDEN);
        assertThat(text("SELECT count(*) FROM audit_log WHERE kind = 'transfer.history'"))
                .isEqualTo("0");
        service.unsubscribe(CLIENT, SERIES);
        assertThat(text("SELECT count(*) FROM consumer WHERE active")).isEqualTo("0");

        switches.set(Switches.PEER, "client", true, null, "alice");
        assertThat(service.history(CLIENT, SERIES, "2023-11-14", "2023-11-16").records())
                .isNotEmpty();
    }

    @Test
    void aRevokedConsentNoLongerAnswers() throws Exception {
        sql("UPDATE consent SET revoked_at = now(), revoked_by = 'alice', revoke_reason = 'moved out'");
        assertThatThrownBy(() -> service.history(CLIENT, SERIES, "2023-11-14", "2023-11-16"))
                .hasMessageContaining("holds no consent in force");
    }

    @Test
    void subscribingMakesOneConsumerThatNeedsNoAckAndUnsubscribingEndsIt() throws Exception {
        String ref = service.subscribe(CLIENT, SERIES);
        service.subscribe(CLIENT, SERIES);
        assertThat(text("SELECT count(*) || ' ' || string_agg(source || ' ' || series_prefix || ' ' || acknowledges,"
                        + " ';') FROM consumer WHERE active"))
                .isEqualTo("1 ecodevices-source " + SERIES + " false");
        assertThat(text("SELECT k.ref::text FROM consumer c JOIN consent k ON k.id = c.consent_id"))
                .isEqualTo(ref);

        service.unsubscribe(CLIENT, SERIES);
        assertThat(text("SELECT count(*) FROM consumer WHERE active")).isEqualTo("0");
        assertThat(text("SELECT string_agg(kind, ',' ORDER BY seq) FROM audit_log"))
                .isEqualTo("subscription.requested,subscription.requested,subscription.ended");
    }

    @Test
    void aLargeAnswerIsCutIntoPartsUnderTheLimitWithEveryRecordInOrder() {
        List<Measurement> records = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            records.addAll(Senml.resolve(
                    Senml.parseJson("[{\"n\":\"" + SERIES + "\",\"u\":\"W\",\"t\":" + (1_700_000_000L + i) + ",\"v\":"
                            + i + "}]"),
                    0));
        }
        List<String> parts = QuoaliseData.parts(SERIES, records, 4096);
        assertThat(parts)
                .hasSizeGreaterThan(1)
                .allSatisfy(p -> assertThat(p.length()).isLessThanOrEqualTo(4096));
        List<Double> values = new ArrayList<>();
        for (String part : parts) {
            assertThat(part).startsWith("<quoalise xmlns=\"urn:quoalise:0\"><data><meta>");
            String sensml = part.substring(part.indexOf("<sensml"), part.lastIndexOf("</sensml>") + 9);
            Senml.resolve(Senml.parseXml(sensml), 0).forEach(m -> values.add(m.value()));
        }
        assertThat(values).hasSize(500).isSorted();
        assertThat(QuoaliseData.parts(SERIES, records, 1 << 20)).hasSize(1);
    }
}
