package org.senproxy.senml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The examples of RFC 8428, parsed and resolved. */
class RfcExamplesTest {

    /** "now" for records without an absolute time: 2023-11-14T22:13:20Z. */
    private static final double NOW = 1_700_000_000;

    @Test
    void singleDataPoint_5_1_1() {
        List<Measurement> resolved = resolveJson("""
                [
                  {"n":"urn:dev:ow:10e2073a01080063","u":"Cel","v":23.1}
                ]""");

        assertThat(resolved)
                .containsExactly(
                        new Measurement("urn:dev:ow:10e2073a01080063", "Cel", NOW, 23.1, null, null, null, null, null));
    }

    @Test
    void multipleDataPointsNow_5_1_2() {
        List<Measurement> resolved = resolveJson("""
                [
                  {"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
                  {"n":"current","u":"A","v":1.2}
                ]""");

        assertThat(resolved)
                .extracting(Measurement::name, Measurement::unit, Measurement::time, Measurement::value)
                .containsExactly(
                        tuple("urn:dev:ow:10e2073a01080063:voltage", "V", NOW, 120.1),
                        tuple("urn:dev:ow:10e2073a01080063:current", "A", NOW, 1.2));
    }

    /** Base name, base time, base unit and version 5; times relative to the base time. */
    @Test
    void multipleDataPointsWithBaseTime_5_1_2() {
        List<SenmlRecord> records = Senml.parseJson(RFC_5_1_2_SECOND);
        assertThat(records.get(0))
                .isEqualTo(new SenmlRecord(
                        "urn:dev:ow:10e2073a0108006:",
                        1.276020076001e+09,
                        "A",
                        null,
                        null,
                        5,
                        "voltage",
                        "V",
                        120.1,
                        null,
                        null,
                        null,
                        null,
                        null,
                        null));

        List<Measurement> resolved = Senml.resolve(records, NOW);

        String bn = "urn:dev:ow:10e2073a0108006:";
        assertThat(resolved)
                .extracting(Measurement::name, Measurement::unit, Measurement::instant, Measurement::value)
                .containsExactly(
                        tuple(bn + "current", "A", Instant.parse("2010-06-08T18:01:11.001Z"), 1.2),
                        tuple(bn + "current", "A", Instant.parse("2010-06-08T18:01:12.001Z"), 1.3),
                        tuple(bn + "current", "A", Instant.parse("2010-06-08T18:01:13.001Z"), 1.4),
                        tuple(bn + "current", "A", Instant.parse("2010-06-08T18:01:14.001Z"), 1.5),
                        tuple(bn + "current", "A", Instant.parse("2010-06-08T18:01:15.001Z"), 1.6),
                        // "voltage" comes first in the pack; same time as the last current, so before it
                        tuple(bn + "voltage", "V", Instant.parse("2010-06-08T18:01:16.001Z"), 120.1),
                        tuple(bn + "current", "A", Instant.parse("2010-06-08T18:01:16.001Z"), 1.7));
        assertThat(resolved.get(0).time()).isEqualTo(1.276020076001e+09 - 5);
    }

    /** Section 5.1.3 resolves to exactly the records of section 5.1.4. */
    @Test
    void multipleMeasurementsResolveToTheResolvedData_5_1_3_and_5_1_4() {
        List<Measurement> resolved = resolveJson(RFC_5_1_3);

        assertThat(Senml.fromMeasurements(resolved)).isEqualTo(Senml.parseJson(RFC_5_1_4));
        assertThat(resolved).hasSize(13);
        assertThat(resolved.get(9))
                .isEqualTo(new Measurement(
                        "urn:dev:ow:10e2073a01080063", "%EL", 1320067614, 98.0, null, null, null, null, null));
        assertThat(resolved.get(3).instant()).isEqualTo(Instant.parse("2011-10-31T13:25:24Z"));
    }

    @Test
    void multipleDataTypes_5_1_5() {
        List<Measurement> resolved = resolveJson("""
                [
                  {"bn":"urn:dev:ow:10e2073a01080063:","n":"temp","u":"Cel","v":23.1},
                  {"n":"label","vs":"Machine Room"},
                  {"n":"open","vb":false},
                  {"n":"nfv-reader","vd":"aGkgCg"}
                ]""");

        String bn = "urn:dev:ow:10e2073a01080063:";
        assertThat(resolved)
                .containsExactly(
                        new Measurement(bn + "temp", "Cel", NOW, 23.1, null, null, null, null, null),
                        // u is a regular field: it does not carry over to the next records
                        new Measurement(bn + "label", null, NOW, null, "Machine Room", null, null, null, null),
                        new Measurement(bn + "open", null, NOW, null, null, false, null, null, null),
                        new Measurement(bn + "nfv-reader", null, NOW, null, null, null, "aGkgCg", null, null));
    }

    /** The last record uses the base name of the third record and the base time of the first. */
    @Test
    void collectionOfResources_5_1_6() {
        List<Measurement> resolved = resolveJson("""
                [
                  {"bn":"2001:db8::2/","bt":1.320078429e+09,
                   "n":"temperature","u":"Cel","v":25.2},
                  {"n":"humidity","u":"%RH","v":30},
                  {"bn":"2001:db8::1/","n":"temperature","u":"Cel","v":12.3},
                  {"n":"humidity","u":"%RH","v":67}
                ]""");

        assertThat(resolved)
                .extracting(Measurement::name, Measurement::unit, Measurement::time, Measurement::value)
                .containsExactly(
                        tuple("2001:db8::2/temperature", "Cel", 1.320078429e9, 25.2),
                        tuple("2001:db8::2/humidity", "%RH", 1.320078429e9, 30.0),
                        tuple("2001:db8::1/temperature", "Cel", 1.320078429e9, 12.3),
                        tuple("2001:db8::1/humidity", "%RH", 1.320078429e9, 67.0));
    }

    @Test
    void settingAnActuatorInTheFuture_5_1_7() {
        List<Measurement> resolved = resolveJson("""
                [
                  {"bt":1.320078429e+09,"bu":"/","n":"2001:db8::3","v":0.5},
                  {"n":"2001:db8::4","v":0.5},
                  {"n":"2001:db8::3","t":0.1,"v":0},
                  {"n":"2001:db8::4","t":0.1,"v":0}
                ]""");

        assertThat(resolved)
                .extracting(Measurement::name, Measurement::unit, Measurement::instant, Measurement::value)
                .containsExactly(
                        tuple("2001:db8::3", "/", Instant.parse("2011-10-31T16:27:09Z"), 0.5),
                        tuple("2001:db8::4", "/", Instant.parse("2011-10-31T16:27:09Z"), 0.5),
                        tuple("2001:db8::3", "/", Instant.parse("2011-10-31T16:27:09.100Z"), 0.0),
                        tuple("2001:db8::4", "/", Instant.parse("2011-10-31T16:27:09.100Z"), 0.0));
    }

    /** The XML example of section 7 holds the same records as the JSON of section 5.1.2. */
    @Test
    void xmlExample_7() {
        List<SenmlRecord> records = Senml.parseXml("""
                <sensml xmlns="urn:ietf:params:xml:ns:senml">
                  <senml bn="urn:dev:ow:10e2073a0108006:" bt="1.276020076001e+09"
                  bu="A" bver="5" n="voltage" u="V" v="120.1"></senml>
                  <senml n="current" t="-5" v="1.2"></senml>
                  <senml n="current" t="-4" v="1.3"></senml>
                  <senml n="current" t="-3" v="1.4"></senml>
                  <senml n="current" t="-2" v="1.5"></senml>
                  <senml n="current" t="-1" v="1.6"></senml>
                  <senml n="current" v="1.7"></senml>
                </sensml>""");

        assertThat(records).isEqualTo(Senml.parseJson(RFC_5_1_2_SECOND));
    }

    @Test
    void xmlExampleOfSection8IsTheFirstExampleOf_5_1_2() {
        List<SenmlRecord> records = Senml.parseXml("""
                <sensml xmlns="urn:ietf:params:xml:ns:senml">
                  <senml bn="urn:dev:ow:10e2073a01080063:" n="voltage" u="V"
                  v="120.1"></senml>
                  <senml n="current" u="A" v="1.2"></senml>
                </sensml>""");

        assertThat(records).isEqualTo(Senml.parseJson("""
                [
                  {"bn":"urn:dev:ow:10e2073a01080063:","n":"voltage","u":"V","v":120.1},
                  {"n":"current","u":"A","v":1.2}
                ]"""));
    }

    private static List<Measurement> resolveJson(String json) {
        return Senml.resolve(Senml.parseJson(json), NOW);
    }

    static final String RFC_5_1_2_SECOND = """
            [
              {"bn":"urn:dev:ow:10e2073a0108006:","bt":1.276020076001e+09,
               "bu":"A","bver":5,
               "n":"voltage","u":"V","v":120.1},
              {"n":"current","t":-5,"v":1.2},
              {"n":"current","t":-4,"v":1.3},
              {"n":"current","t":-3,"v":1.4},
              {"n":"current","t":-2,"v":1.5},
              {"n":"current","t":-1,"v":1.6},
              {"n":"current","v":1.7}
            ]""";

    static final String RFC_5_1_3 = """
            [
              {"bn":"urn:dev:ow:10e2073a01080063","bt":1.320067464e+09,
               "bu":"%RH","v":20},
              {"u":"lon","v":24.30621},
              {"u":"lat","v":60.07965},
              {"t":60,"v":20.3},
              {"u":"lon","t":60,"v":24.30622},
              {"u":"lat","t":60,"v":60.07965},
              {"t":120,"v":20.7},
              {"u":"lon","t":120,"v":24.30623},
              {"u":"lat","t":120,"v":60.07966},
              {"u":"%EL","t":150,"v":98},
              {"t":180,"v":21.2},
              {"u":"lon","t":180,"v":24.30628},
              {"u":"lat","t":180,"v":60.07967}
            ]""";

    static final String RFC_5_1_4 = """
            [
              {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067464e+09,
               "v":20},
              {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067464e+09,
               "v":24.30621},
              {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067464e+09,
               "v":60.07965},
              {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067524e+09,
               "v":20.3},
              {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067524e+09,
               "v":24.30622},
              {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067524e+09,
               "v":60.07965},
              {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067584e+09,
               "v":20.7},
              {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067584e+09,
               "v":24.30623},
              {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067584e+09,
               "v":60.07966},
              {"n":"urn:dev:ow:10e2073a01080063","u":"%EL","t":1.320067614e+09,
               "v":98},
              {"n":"urn:dev:ow:10e2073a01080063","u":"%RH","t":1.320067644e+09,
               "v":21.2},
              {"n":"urn:dev:ow:10e2073a01080063","u":"lon","t":1.320067644e+09,
               "v":24.30628},
              {"n":"urn:dev:ow:10e2073a01080063","u":"lat","t":1.320067644e+09,
               "v":60.07967}
            ]""";
}
