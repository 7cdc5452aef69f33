package org.senproxy.senml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Units from the SenML registry only, and version 26 for packs with secondary units (RFC 8428, 8798, 9100). */
class UnitsTest {

    private static List<Measurement> resolve(String json) {
        return Senml.resolve(Senml.parseJson(json), 1_700_000_000);
    }

    @Test
    void anUnregisteredUnitIsRejectedWithItsRecordAndField() {
        assertThatThrownBy(() -> resolve("[{\"n\":\"a\",\"u\":\"W\",\"v\":1},{\"n\":\"b\",\"u\":\"°C\",\"v\":1}]"))
                .isInstanceOf(SenmlException.class)
                .hasMessageStartingWith("record 1, field 'u': unit \"°C\" is not in the SenML units registry");
        assertThatThrownBy(() -> resolve("[{\"bu\":\"kwh\",\"n\":\"a\",\"v\":1}]"))
                .hasMessageStartingWith("record 0, field 'bu': unit \"kwh\"");
    }

    @Test
    void primaryAndSecondaryUnitsAreAccepted() {
        assertThat(resolve("[{\"bver\":26,\"n\":\"a\",\"u\":\"VA\",\"v\":1},{\"n\":\"b\",\"u\":\"var\",\"v\":1},"
                        + "{\"n\":\"c\",\"u\":\"m3\",\"v\":1},{\"n\":\"d\",\"u\":\"kWh\",\"v\":1}]"))
                .extracting(Measurement::unit)
                .containsExactly("VA", "var", "m3", "kWh");
        // liberal on input: a secondary unit without the declaration is still understood
        assertThat(resolve("[{\"n\":\"e\",\"u\":\"Wh\",\"v\":1}]"))
                .extracting(Measurement::unit)
                .containsExactly("Wh");
    }

    @Test
    void version26IsTenWithSecondaryUnitsAndOtherFeaturesAreRefused() {
        assertThat(resolve("[{\"bver\":26,\"n\":\"a\",\"u\":\"Wh\",\"v\":1},{\"n\":\"b\",\"u\":\"Wh\",\"v\":2}]"))
                .hasSize(2);
        // 42 = 10 + feature 5, which this reader does not know
        assertThatThrownBy(() -> resolve("[{\"bver\":42,\"n\":\"a\",\"v\":1}]"))
                .hasMessageStartingWith("record 0, field 'bver': unsupported SenML version 42");
    }

    @Test
    void aPackWithASecondaryUnitDeclaresVersion26OnItsFirstRecordOnly() {
        List<SenmlRecord> withWh = Senml.fromMeasurements(
                resolve("[{\"n\":\"p\",\"u\":\"W\",\"v\":1},{\"n\":\"e\",\"u\":\"Wh\",\"v\":2}]"));
        assertThat(withWh).extracting(SenmlRecord::bver).containsExactly(26, null);
        assertThat(Senml.toJson(withWh)).startsWith("[{\"bver\":26,");
        assertThat(Senml.fromMeasurements(resolve("[{\"n\":\"p\",\"u\":\"W\",\"v\":1}]")))
                .extracting(SenmlRecord::bver)
                .containsOnlyNulls();
    }

    @Test
    void version26RoundTripsThroughXml() {
        List<SenmlRecord> pack = Senml.fromMeasurements(resolve("[{\"n\":\"e\",\"u\":\"Wh\",\"v\":2}]"));
        String xml = Senml.toXml(pack);
        assertThat(xml).contains("bver=\"26\"");
        assertThat(Senml.resolve(Senml.parseXml(xml), 0))
                .extracting(Measurement::unit)
                .containsExactly("Wh");
    }
}
