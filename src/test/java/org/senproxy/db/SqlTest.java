package org.senproxy.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SqlTest {

    @Test
    void namedParametersBecomePositionalInOrderAndANameUsedTwiceBindsBothPlaces() {
        Sql sql = Sql.parse("t", "SELECT * FROM t WHERE a = :a AND b = :b_2 OR c = :a");
        assertThat(sql.jdbc()).isEqualTo("SELECT * FROM t WHERE a = ? AND b = ? OR c = ?");
        assertThat(sql.parameters()).containsExactly("a", "b_2", "a");
    }

    @Test
    void castsStringsQuotedIdentifiersDollarQuotesAndBlockCommentsAreLeftAsWritten() {
        Sql sql = Sql.parse(
                "t",
                "SELECT :x::uuid[], 'it''s :not', E'a\\' :no', \"col:y\", $$ :z $$, $f$ :w $f$,"
                        + " /* :c */ now()::text, arr[1:2]");
        assertThat(sql.parameters()).containsExactly("x");
        assertThat(sql.jdbc())
                .isEqualTo("SELECT ?::uuid[], 'it''s :not', E'a\\' :no', \"col:y\", $$ :z $$,"
                        + " $f$ :w $f$, /* :c */ now()::text, arr[1:2]");
    }

    @Test
    void jsonbQuestionMarkOperatorsAreEscapedForPgjdbc() {
        Sql sql = Sql.parse("t", "SELECT 1 WHERE d::jsonb ? 'k' OR d ?| :keys OR d ?& array['a']");
        assertThat(sql.jdbc()).isEqualTo("SELECT 1 WHERE d::jsonb ?? 'k' OR d ??| ? OR d ??& array['a']");
        assertThat(sql.parameters()).containsExactly("keys");
    }

    @Test
    void lineCommentsDescribeTheStatementAndAreNotSent() {
        Sql sql = Sql.parse("t", "-- what it does, with :not_a_parameter\nSELECT :a -- why\n  FROM t\n");
        assertThat(sql.jdbc()).isEqualTo("SELECT ? \n  FROM t");
        assertThat(sql.parameters()).containsExactly("a");
    }

    @Test
    void aStatementFileIsReadFromBesideItsClassOnce() {
        Sql claim = Sql.of(org.senproxy.outbox.OutboxAppend.class, "claim");
        assertThat(claim).isSameAs(Sql.of(org.senproxy.outbox.OutboxDispatch.class, "claim"));
        assertThat(claim.parameters()).contains("lease_ms", "replica", "window", "batch_size");
        assertThat(claim.jdbc()).contains("SKIP LOCKED").doesNotContain(":window");
    }

    @Test
    void anUnknownOrMissingParameterIsNamed() {
        Sql sql = Sql.parse("t", "SELECT :a");
        assertThatThrownBy(() -> sql.params().set("b", 1)).hasMessageContaining(":b");
        assertThatThrownBy(() -> Sql.of(SqlTest.class, "no-such")).hasMessageContaining("org/senproxy/db/no-such.sql");
    }
}
