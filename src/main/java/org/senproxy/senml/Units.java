package org.senproxy.senml;

import java.util.Set;

/**
 * The SenML units registry (IANA "SenML Units" and "Secondary Units"): the primary units of RFC 8428 and those
 * RFC 8798 and ISO 7027-1 added, and the secondary units of RFC 8798 and CoRE-1, which are scaled primary units
 * ({@code Wh} is 3600 J, {@code kWh} 3.6 MJ). A pack that uses a secondary unit declares it with version 26: the
 * version 10 plus the "secondary units" feature bit (RFC 9100).
 */
final class Units {

    /** RFC 9100 feature code 4: the pack may use secondary units. */
    static final int SECONDARY_UNITS_FEATURE = 1 << 4;

    /** The version a writer declares for a pack that uses secondary units: 10 + 16 = 26. */
    static final int VERSION_WITH_SECONDARY_UNITS = Resolver.SUPPORTED_VERSION | SECONDARY_UNITS_FEATURE;

    private static final Set<String> PRIMARY = Set.of(
            // RFC 8428
            "m",
            "kg",
            "g",
            "s",
            "A",
            "K",
            "cd",
            "mol",
            "Hz",
            "rad",
            "sr",
            "N",
            "Pa",
            "J",
            "W",
            "C",
            "V",
            "F",
            "Ohm",
            "S",
            "Wb",
            "T",
            "H",
            "Cel",
            "lm",
            "lx",
            "Bq",
            "Gy",
            "Sv",
            "kat",
            "m2",
            "m3",
            "l",
            "m/s",
            "m/s2",
            "m3/s",
            "l/s",
            "W/m2",
            "cd/m2",
            "bit",
            "bit/s",
            "lat",
            "lon",
            "pH",
            "dB",
            "dBW",
            "Bspl",
            "count",
            "/",
            "%",
            "%RH",
            "%EL",
            "EL",
            "1/s",
            "1/min",
            "beat/min",
            "beats",
            "S/m",
            // RFC 8798
            "B",
            "VA",
            "VAs",
            "var",
            "vars",
            "J/m",
            "kg/m3",
            "deg",
            // ISO 7027-1
            "NTU");

    private static final Set<String> SECONDARY = Set.of(
            // RFC 8798
            "ms",
            "min",
            "h",
            "MHz",
            "kW",
            "kVA",
            "kvar",
            "Ah",
            "Wh",
            "kWh",
            "varh",
            "kvarh",
            "kVAh",
            "Wh/km",
            "KiB",
            "GB",
            "Mbit/s",
            "B/s",
            "MB/s",
            "mV",
            "mA",
            "dBm",
            "ug/m3",
            "mm/h",
            "m/h",
            "ppm",
            "/100",
            "/1000",
            "hPa",
            "mm",
            "cm",
            "km",
            "km/h",
            // CoRE-1 (registered later)
            "ppb",
            "ppt",
            "VAh",
            "mg/l",
            "ug/l",
            "g/l");

    private Units() {}

    static boolean isSecondary(String unit) {
        return SECONDARY.contains(unit);
    }

    /**
     * Accepts a registered unit. A secondary unit is accepted even in a pack that does not declare the feature: this
     * reader understands it (writers, {@link Resolver#fromMeasurements}, do declare it).
     */
    static void check(int index, String field, String unit) {
        if (!PRIMARY.contains(unit) && !SECONDARY.contains(unit)) {
            throw new SenmlException(
                    index,
                    field,
                    "unit " + Text.quote(unit) + " is not in the SenML units registry"
                            + " (RFC 8428, RFC 8798); e.g. Wh, W, VA, var, A, V, Cel, m3, l, %");
        }
    }
}
