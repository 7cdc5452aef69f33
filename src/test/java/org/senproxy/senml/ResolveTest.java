package org.senproxy.senml;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The base-field rules of RFC 8428 sections 4.1 to 4.6. */
class ResolveTest {

    private static final double NOW = 1_700_000_000;
    private static final double PIVOT = 268_435_456; // 2^28

    @Test
    void unitReplacesBaseUnitAndBaseUnitCarriesOver() {
        List<Measurement> resolved = resolve("""
                [{"bn":"m:","bu":"W","n":"a","u":"kW","v":1},
                 {"n":"b","v":2},
                 {"bu":"Wh","n":"c","v":3},
                 {"n":"d","u":"J","v":4}]""");

        assertThat(resolved).extracting(Measurement::unit).containsExactly("kW", "W", "Wh", "J");
    }

    @Test
    void baseValueIsAddedToValue() {
        List<Measurement> resolved = resolve("""
                [{"bn":"m","bv":100,"v":1.5},
                 {"v":-2},
                 {"bv":0.25,"v":1}]""");

        assertThat(resolved).extracting(Measurement::value).containsExactly(101.5, 98.0, 1.25);
    }

    @Test
    void baseValueDoesNotTouchOtherValueTypes() {
        List<Measurement> resolved = resolve("""
                [{"bn":"m","bv":100,"vs":"on"},
                 {"vb":true}]""");

        assertThat(resolved.get(0).value()).isNull();
        assertThat(resolved.get(0).stringValue()).isEqualTo("on");
        assertThat(resolved.get(1).value()).isNull();
    }

    @Test
    void baseSumAppliesOnlyToRecordsWithASum() {
        List<Measurement> resolved = resolve("""
                [{"bn":"meter","bs":1000,"s":5},
                 {"v":7},
                 {"s":6,"v":8}]""");

        assertThat(resolved).extracting(Measurement::sum).containsExactly(1005.0, null, 1006.0);
        assertThat(resolved).extracting(Measurement::value).containsExactly(null, 7.0, 8.0);
    }

    @Test
    void aSumAloneIsAMeasurement() {
        Measurement m = resolve("[{\"n\":\"meter\",\"u\":\"W\",\"s\":3600}]").get(0);

        assertThat(m.sum()).isEqualTo(3600.0);
        assertThat(m.value()).isNull();
    }

    @Test
    void baseTimePlusAbsoluteTime() {
        List<Measurement> resolved = resolve("""
                [{"bn":"m","bt":1600000000,"t":10,"v":1},
                 {"t":-10,"v":2},
                 {"v":3}]""");

        assertThat(resolved).extracting(Measurement::time).containsExactly(1599999990.0, 1600000000.0, 1600000010.0);
    }

    @Test
    void relativeTimesAreRelativeToNow() {
        List<Measurement> resolved = resolve("""
                [{"bn":"m","t":-60,"v":1},
                 {"v":2},
                 {"t":30,"v":3},
                 {"bt":-100,"t":40,"v":4}]""");

        assertThat(resolved).extracting(Measurement::time).containsExactly(NOW - 60, NOW - 60, NOW, NOW + 30);
    }

    @Test
    void timeJustBelowTwoToThe28IsRelative() {
        assertThat(resolve("[{\"n\":\"m\",\"t\":268435455,\"v\":1}]").get(0).time())
                .isEqualTo(NOW + PIVOT - 1);
        assertThat(resolve("[{\"n\":\"m\",\"t\":268435455.999,\"v\":1}]").get(0).time())
                .isEqualTo(NOW + 268435455.999);
    }

    @Test
    void timeFromTwoToThe28IsAbsolute() {
        assertThat(resolve("[{\"n\":\"m\",\"t\":268435456,\"v\":1}]").get(0).time())
                .isEqualTo(PIVOT);
        assertThat(resolve("[{\"n\":\"m\",\"t\":268435457,\"v\":1}]").get(0).time())
                .isEqualTo(PIVOT + 1);
    }

    @Test
    void thePivotAppliesToTheSumOfBaseTimeAndTime() {
        // each part relative, the sum absolute
        assertThat(resolve("[{\"n\":\"m\",\"bt\":200000000,\"t\":68435456,\"v\":1}]")
                        .get(0)
                        .time())
                .isEqualTo(PIVOT);
        // base time absolute, the sum relative
        assertThat(resolve("[{\"n\":\"m\",\"bt\":268435456,\"t\":-1,\"v\":1}]")
                        .get(0)
                        .time())
                .isEqualTo(NOW + PIVOT - 1);
    }

    @Test
    void baseNameIsReplacedNotConcatenated() {
        List<Measurement> resolved = resolve("""
                [{"bn":"a:","n":"x","v":1},
                 {"bn":"b:","n":"y","v":2},
                 {"n":"z","v":3},
                 {"bn":"c","v":4}]""");

        assertThat(resolved).extracting(Measurement::name).containsExactly("a:x", "b:y", "b:z", "c");
    }

    @Test
    void updateTimePassesThrough() {
        assertThat(resolve("[{\"n\":\"m\",\"v\":1,\"ut\":300}]").get(0).updateTime())
                .isEqualTo(300.0);
    }

    @Test
    void aDurationSaysWhichPeriodTheValueCovers() {
        List<Measurement> resolved = resolve("""
                [{"bn":"urn:dev:prm:1_","bt":1680307200,"n":"power","u":"W","v":830,"dur":1800},
                 {"n":"power","u":"W","v":912,"t":1800}]""");

        assertThat(resolved).extracting(Measurement::duration).containsExactly(1800.0, null);
        assertThat(Senml.resolve(Senml.fromMeasurements(resolved), 0)).isEqualTo(resolved);
        assertThat(Senml.toJson(Senml.fromMeasurements(resolved))).contains("\"dur\":1800");
    }

    @Test
    void versionTenAndLowerAreAccepted() {
        assertThat(resolve("[{\"bver\":10,\"n\":\"a\",\"v\":1},{\"bver\":10,\"n\":\"b\",\"v\":2}]"))
                .hasSize(2);
        assertThat(resolve("[{\"bver\":5,\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2}]"))
                .hasSize(2);
    }

    @Test
    void emptyPackIsValid() {
        assertThat(resolve("[]")).isEmpty();
        assertThat(Senml.parseXml("<sensml xmlns='urn:ietf:params:xml:ns:senml'/>"))
                .isEmpty();
    }

    @Test
    void resultIsChronologicalAndStable() {
        List<Measurement> resolved = resolve("""
                [{"bn":"m:","bt":1600000000,"n":"c","t":30,"v":1},
                 {"n":"a","t":10,"v":2},
                 {"n":"d","t":30,"v":3},
                 {"n":"b","t":20,"v":4},
                 {"n":"e","t":30,"v":5},
                 {"n":"f","t":-5,"v":6}]""");

        assertThat(resolved).extracting(Measurement::name).containsExactly("m:f", "m:a", "m:b", "m:c", "m:d", "m:e");
    }

    @Test
    void fromMeasurementsGivesPlainRecordsThatResolveToTheSameMeasurements() {
        List<Measurement> resolved = resolve("""
                [{"bn":"m:","bt":1600000000,"bu":"W","bv":10,"bs":100,
                  "n":"a","v":1,"s":2,"ut":60},
                 {"n":"b","t":1,"vs":"x"},
                 {"n":"c","t":2,"vb":true,"u":"/"},
                 {"n":"d","t":3,"vd":"aGkgCg"}]""");

        List<SenmlRecord> plain = Senml.fromMeasurements(resolved);

        assertThat(plain.get(0))
                .isEqualTo(new SenmlRecord(
                        null,
                        null,
                        null,
                        null,
                        null,
                        null,
                        "m:a",
                        "W",
                        11.0,
                        null,
                        null,
                        null,
                        102.0,
                        1600000000.0,
                        60.0));
        assertThat(plain)
                .allSatisfy(r -> assertThat(List.of(
                                r.bn() == null,
                                r.bt() == null,
                                r.bu() == null,
                                r.bv() == null,
                                r.bs() == null,
                                r.bver() == null))
                        .containsOnly(true));
        assertThat(Senml.resolve(plain, 0)).isEqualTo(resolved);
    }

    private static List<Measurement> resolve(String json) {
        return Senml.resolve(Senml.parseJson(json), NOW);
    }
}
