package org.senproxy.senml;

/**
 * One SenML record exactly as written on the wire (RFC 8428 section 4): base fields and regular fields,
 * every one optional, so every component may be {@code null}.
 *
 * <p>A record is not checked when it is built: {@link Senml#parseJson(String)} and {@link Senml#parseXml(String)}
 * check the syntax (field types), {@link Senml#resolve(java.util.List, double)} checks the meaning (names,
 * values, versions). To work with the measurements, resolve the pack.
 *
 * @param bn   base name, prepended to the names of this and the following records
 * @param bt   base time, added to the times of this and the following records
 * @param bu   base unit, the unit of this and the following records that have no {@code u}
 * @param bv   base value, added to the {@code v} of this and the following records
 * @param bs   base sum, added to the {@code s} of this and the following records
 * @param bver version of the SenML format (10 when absent)
 * @param n    name, appended to the base name
 * @param u    unit
 * @param v    numeric value
 * @param vs   string value
 * @param vb   boolean value
 * @param vd   data value: base64url without padding (RFC 4648 section 5)
 * @param s    sum: the value integrated over time
 * @param t    time in seconds: since the Unix epoch when at least 2^28, otherwise relative to "now"
 * @param ut   update time: the longest time in seconds before the sensor reports again
 * @param dur  duration in seconds of the period the value covers, from {@code t} (sen-proxy's extension, see
 *             {@link Field})
 */
public record SenmlRecord(
        String bn,
        Double bt,
        String bu,
        Double bv,
        Double bs,
        Integer bver,
        String n,
        String u,
        Double v,
        String vs,
        Boolean vb,
        String vd,
        Double s,
        Double t,
        Double ut,
        Double dur) {

    /** A record without a duration: an instant's value. */
    public SenmlRecord(
            String bn,
            Double bt,
            String bu,
            Double bv,
            Double bs,
            Integer bver,
            String n,
            String u,
            Double v,
            String vs,
            Boolean vb,
            String vd,
            Double s,
            Double t,
            Double ut) {
        this(bn, bt, bu, bv, bs, bver, n, u, v, vs, vb, vd, s, t, ut, null);
    }

    /** A plain numeric record with name, unit, time and value; every other field is absent. */
    public static SenmlRecord of(String n, String u, double t, double v) {
        return new SenmlRecord(null, null, null, null, null, null, n, u, v, null, null, null, null, t, null);
    }
}
