package org.senproxy.senml;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/** Resolution of a pack into measurements (RFC 8428 section 4.6), and back. */
final class Resolver {

    /** The highest SenML version this package understands (RFC 8428 is version 10). */
    static final int SUPPORTED_VERSION = 10;

    /** Times below 2^28 seconds are relative to "now" (RFC 8428 section 4.5.3). */
    static final double RELATIVE_TIME_LIMIT = 268_435_456; // 2^28

    /** RFC 8428 section 4.5.1: letters, digits and - : . / _, starting with a letter or digit. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][-A-Za-z0-9:./_]*");

    /**
     * The longest resolved name (base name and name) accepted: RFC 8428 sets none, but an unbounded one costs every
     * step that reads it (scope matching, keys, indexes); the Quoalise identifiers are as long at most.
     */
    static final int MAX_NAME_CHARS = 255;

    /** base64url without padding (RFC 4648 section 5). */
    private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]*");

    private Resolver() {}

    /** The base fields in force while walking through a pack: each applies until a later record changes it. */
    private static final class Base {
        String name = "";
        double time;
        String unit;
        double value;
        double sum;
        int version = SUPPORTED_VERSION;

        void update(int index, SenmlRecord record) {
            if (record.bver() != null) {
                version = checkVersion(index, record.bver(), version);
            }
            if (record.bn() != null) {
                name = record.bn();
            }
            if (record.bt() != null) {
                time = record.bt();
            }
            if (record.bu() != null) {
                unit = record.bu();
            }
            if (record.bv() != null) {
                value = record.bv();
            }
            if (record.bs() != null) {
                sum = record.bs();
            }
        }

        /**
         * RFC 8428 section 4.4: a version we understand, and the same one in all records of the pack. Above 10, a
         * version is 10 plus a bit per feature (RFC 9100); this reader understands secondary units (26).
         */
        private static int checkVersion(int index, int version, int current) {
            if (version < 1) {
                throw new SenmlException(index, "bver", "the version is a positive integer, got " + version);
            }
            if (version > SUPPORTED_VERSION && version != Units.VERSION_WITH_SECONDARY_UNITS) {
                throw new SenmlException(
                        index,
                        "bver",
                        "unsupported SenML version " + version + " (this reader"
                                + " understands up to " + SUPPORTED_VERSION + ", and "
                                + Units.VERSION_WITH_SECONDARY_UNITS
                                + ": version 10 with secondary units, RFC 9100)");
            }
            if (index > 0 && version != current) {
                throw new SenmlException(
                        index,
                        "bver",
                        "version " + version + " differs from version " + current
                                + " of the records before; all records of a pack have the same version");
            }
            return version;
        }
    }

    static List<Measurement> resolve(List<SenmlRecord> records, double nowSeconds) {
        Base base = new Base();
        List<Measurement> measurements = new ArrayList<>(records.size());
        for (int index = 0; index < records.size(); index++) {
            SenmlRecord record = records.get(index);
            if (record == null) {
                throw new NullPointerException("record " + index + " is null");
            }
            base.update(index, record);
            measurements.add(resolve(index, record, base, nowSeconds));
        }
        return inTimeOrder(measurements);
    }

    /** The measurements in the order a pack resolves to: by time, a stable sort (ties keep their order). */
    static List<Measurement> inTimeOrder(List<Measurement> measurements) {
        List<Measurement> sorted = new ArrayList<>(measurements);
        sorted.sort(Comparator.comparingDouble(Measurement::time));
        return List.copyOf(sorted);
    }

    private static Measurement resolve(int index, SenmlRecord record, Base base, double nowSeconds) {
        checkOneValue(index, record);
        if (record.vd() != null) {
            checkBase64Url(index, record.vd());
        }
        String name = name(index, base.name + (record.n() == null ? "" : record.n()));
        String unit = record.u() != null ? record.u() : base.unit;
        if (unit != null) {
            Units.check(index, record.u() != null ? "u" : "bu", unit);
        }
        double time = base.time + (record.t() == null ? 0 : record.t());
        if (time < RELATIVE_TIME_LIMIT) {
            time = nowSeconds + time;
        }
        finite(index, "t", "time", time);
        Double value = record.v() == null ? null : finite(index, "v", "value", record.v() + base.value);
        Double sum = record.s() == null ? null : finite(index, "s", "sum", record.s() + base.sum);
        if (record.dur() != null && !(record.dur() > 0)) {
            throw new SenmlException(
                    index, "dur", "a duration is a positive number of seconds, got " + Numbers.format(record.dur()));
        }
        return new Measurement(
                name, unit, time, value, record.vs(), record.vb(), record.vd(), sum, record.ut(), record.dur());
    }

    /** RFC 8428 section 4.2: exactly one value field, unless there is a sum, which may stand alone. */
    private static void checkOneValue(int index, SenmlRecord record) {
        List<String> present = new ArrayList<>(4);
        if (record.v() != null) {
            present.add("v");
        }
        if (record.vs() != null) {
            present.add("vs");
        }
        if (record.vb() != null) {
            present.add("vb");
        }
        if (record.vd() != null) {
            present.add("vd");
        }
        if (present.size() > 1) {
            String count = present.size() == 2 ? "two" : present.size() == 3 ? "three" : "four";
            String list = String.join(", ", present.subList(0, present.size() - 1)) + " and "
                    + present.get(present.size() - 1);
            throw new SenmlException(
                    index, present.get(0), count + " value fields (" + list + "); a record has exactly one");
        }
        if (present.isEmpty() && record.s() == null) {
            throw new SenmlException(
                    index, "v", "no value field (v, vs, vb or vd) and no sum (s); a record has" + " one of them");
        }
    }

    private static void checkBase64Url(int index, String data) {
        if (!BASE64URL.matcher(data).matches() || data.length() % 4 == 1) {
            throw new SenmlException(
                    index, "vd", "not base64url without padding (RFC 4648 section 5): " + Text.quote(data));
        }
    }

    private static String name(int index, String name) {
        if (name.isEmpty()) {
            throw new SenmlException(index, "n", "empty name: neither n nor bn gives one");
        }
        if (name.length() > MAX_NAME_CHARS) {
            throw new SenmlException(
                    index,
                    "n",
                    "name of " + name.length() + " characters (bn + n) is longer than" + " the " + MAX_NAME_CHARS
                            + " this proxy accepts");
        }
        if (!NAME.matcher(name).matches()) {
            throw new SenmlException(
                    index,
                    "n",
                    "name " + Text.quote(name) + " is not allowed by RFC 8428: only"
                            + " letters, digits and - : . / _, starting with a letter or digit");
        }
        return name;
    }

    private static double finite(int index, String field, String what, double number) {
        if (!Double.isFinite(number)) {
            throw new SenmlException(index, field, "the resolved " + what + " is out of the range of a double");
        }
        return number;
    }

    /** Plain records; a pack with a secondary unit (Wh...) declares version 26 on its first record (RFC 9100). */
    static List<SenmlRecord> fromMeasurements(List<Measurement> measurements) {
        boolean secondary = measurements.stream().anyMatch(m -> m.unit() != null && Units.isSecondary(m.unit()));
        List<SenmlRecord> records = new ArrayList<>(measurements.size());
        for (Measurement m : measurements) {
            Integer version = secondary && records.isEmpty() ? Units.VERSION_WITH_SECONDARY_UNITS : null;
            records.add(new SenmlRecord(
                    null,
                    null,
                    null,
                    null,
                    null,
                    version,
                    m.name(),
                    m.unit(),
                    m.value(),
                    m.stringValue(),
                    m.boolValue(),
                    m.dataValue(),
                    m.sum(),
                    m.time(),
                    m.updateTime(),
                    m.duration()));
        }
        return List.copyOf(records);
    }
}
