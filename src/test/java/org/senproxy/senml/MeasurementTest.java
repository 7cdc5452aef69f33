package org.senproxy.senml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.time.Instant;

import org.junit.jupiter.api.Test;

class MeasurementTest {

    @Test
    void instantHasMicrosecondPrecision() {
        assertThat(at(1.276020076001e9).instant()).isEqualTo(Instant.parse("2010-06-08T18:01:16.001Z"));
        assertThat(at(1.5).instant()).isEqualTo(Instant.parse("1970-01-01T00:00:01.500Z"));
        assertThat(at(1700000000.1234567).instant()).isEqualTo(Instant.parse("2023-11-14T22:13:20.123457Z"));
        assertThat(at(-0.5).instant()).isEqualTo(Instant.parse("1969-12-31T23:59:59.500Z"));
        assertThat(at(-1.0000004).instant()).isEqualTo(Instant.parse("1969-12-31T23:59:59Z"));
    }

    @Test
    void exactlyOneValueOrOnlyASum() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Measurement("a", null, 0, 1.0, "x", null, null, null, null));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Measurement("a", null, 0, null, null, null, null, null, null));
        assertThat(new Measurement("a", null, 0, null, null, null, null, 5.0, null).sum())
                .isEqualTo(5.0);
        assertThat(new Measurement("a", null, 0, 2.0, null, null, null, 5.0, null).value())
                .isEqualTo(2.0);
    }

    @Test
    void nameAndFiniteTimeAreRequired() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Measurement("", null, 0, 1.0, null, null, null, null, null));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Measurement(null, null, 0, 1.0, null, null, null, null, null));
        assertThatIllegalArgumentException()
                .isThrownBy(() -> new Measurement("a", null, Double.NaN, 1.0, null, null, null, null, null));
    }

    @Test
    void exceptionMessageNamesRecordAndField() {
        assertThat(new SenmlException(3, "v", "bad")).hasMessage("record 3, field 'v': bad");
        assertThat(new SenmlException(2, null, "bad")).hasMessage("record 2: bad");
        assertThat(new SenmlException(-1, null, "not a JSON array")).hasMessage("pack: not a JSON array");
        RuntimeException cause = new RuntimeException("x");
        assertThat(new SenmlException(-1, null, "bad", cause)).hasCause(cause);
        assertThat(new SenmlException(-1, null, "x".repeat(1000)).getMessage())
                .hasSizeLessThan(320)
                .endsWith("...");
    }

    private static Measurement at(double time) {
        return new Measurement("m", null, time, 1.0, null, null, null, null, null);
    }
}
