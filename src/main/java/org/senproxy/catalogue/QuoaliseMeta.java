package org.senproxy.catalogue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.senproxy.senml.SenmlRecord;

/**
 * The {@code <meta>} element of a Quoalise data element, as Quoalise proxies write it, for history answers and pushed
 * messages alike. The community's client reads it into a dictionary and writes it back (its {@code --format
 * quoalise}), so it is never empty and holds only elements with attributes, each name once per parent:
 *
 * <pre>
 * &lt;meta&gt;
 *   &lt;device type="electricity-meter"&gt;&lt;identifier authority="enedis" type="prm" value="30001610071843"/&gt;&lt;/device&gt;
 *   &lt;measurement name="urn:dev:prm:30001610071843_consumption/power/active/raw"&gt;
 *     &lt;physical quantity="power" unit="W"/&gt;&lt;aggregate type="average"/&gt;&lt;sampling interval="1800"/&gt;
 *   &lt;/measurement&gt;
 * &lt;/meta&gt;
 * </pre>
 *
 * <ul>
 * <li>{@code device} names the meter where the series names carry one, as RFC 9039 device URNs do
 * ({@code urn:dev:<type>:<id>_<measurement>}): a PRM ({@code urn:dev:prm:}) is an Enedis meter; another type (mac, ow,
 * org, os, ops) keeps its RFC 9039 type, authority {@code ietf}. For names that carry no device, or for several
 * devices in one message, the identifier is the series ({@code authority="sen-proxy" type="series"}), or what the
 * names have in common.</li>
 * <li>{@code measurement} describes one series, from the catalogue (quantity, unit, aggregate, sampling), or from the
 * records themselves for a series the catalogue does not declare (unit, and the sampling of a record's duration); a
 * message holding several series has none.</li>
 * </ul>
 */
public final class QuoaliseMeta {

    private QuoaliseMeta() {}

    /** A meter named by a series: RFC 9039 type and id, and who issues such ids. */
    record Device(String authority, String type, String value, String kind) {}

    /** The names of a pack's records, in order, each once (a base name carries over to the records after it). */
    public static Set<String> names(List<SenmlRecord> records) {
        Set<String> names = new LinkedHashSet<>();
        String base = "";
        for (SenmlRecord r : records) {
            if (r.bn() != null) {
                base = r.bn();
            }
            names.add(base + (r.n() == null ? "" : r.n()));
        }
        return names;
    }

    /**
     * Writes the meta element for records of {@code names}.
     *
     * @param catalogue how a series is declared, if it is
     * @param unit      the first record's unit, for a series the catalogue does not know (or null)
     * @param sampling  the first record's duration in seconds, likewise (or null)
     */
    public static void write(
            XMLStreamWriter w,
            Collection<String> names,
            Function<String, Optional<Series>> catalogue,
            String unit,
            Double sampling)
            throws XMLStreamException {
        w.writeStartElement("meta");
        writeDevice(w, names);
        if (names.size() == 1) {
            String name = names.iterator().next();
            writeMeasurement(w, name, catalogue.apply(name).orElse(null), unit, sampling);
        }
        w.writeEndElement();
    }

    private static void writeDevice(XMLStreamWriter w, Collection<String> names) throws XMLStreamException {
        Set<Device> devices = new LinkedHashSet<>();
        for (String name : names) {
            devices.add(device(name).orElse(null));
        }
        Device device = devices.size() == 1 ? devices.iterator().next() : null;
        w.writeStartElement("device");
        if (device != null && device.kind() != null) {
            w.writeAttribute("type", device.kind());
        }
        w.writeEmptyElement("identifier");
        if (device != null) {
            w.writeAttribute("authority", device.authority());
            w.writeAttribute("type", device.type());
            w.writeAttribute("value", device.value());
        } else {
            w.writeAttribute("authority", "sen-proxy");
            w.writeAttribute("type", "series");
            w.writeAttribute("value", names.size() == 1 ? names.iterator().next() : commonPrefix(names));
        }
        w.writeEndElement();
    }

    private static void writeMeasurement(
            XMLStreamWriter w, String name, Series series, String recordUnit, Double recordSampling)
            throws XMLStreamException {
        w.writeStartElement("measurement");
        w.writeAttribute("name", name);
        String quantity = series == null ? null : series.quantity();
        String unit = series != null && series.unit() != null ? series.unit() : recordUnit;
        if (quantity != null || unit != null) {
            w.writeEmptyElement("physical");
            if (quantity != null) {
                w.writeAttribute("quantity", quantity);
            }
            if (unit != null) {
                w.writeAttribute("unit", unit);
            }
        }
        if (series != null && series.aggregate() != null) {
            w.writeEmptyElement("aggregate");
            w.writeAttribute("type", series.aggregate());
        }
        Long sampling = series != null && series.samplingSeconds() != null
                ? series.samplingSeconds()
                : recordSampling != null ? Long.valueOf(Math.round(recordSampling)) : null;
        if (sampling != null) {
            w.writeEmptyElement("sampling");
            w.writeAttribute("interval", Long.toString(sampling));
        }
        w.writeEndElement();
    }

    /** The meter an RFC 9039 device URN names ({@code urn:dev:<type>:<id>[_ or : or / <measurement>]}), if it is one. */
    static Optional<Device> device(String name) {
        if (!name.startsWith("urn:dev:")) {
            return Optional.empty();
        }
        String rest = name.substring("urn:dev:".length());
        int colon = rest.indexOf(':');
        if (colon <= 0) {
            return Optional.empty();
        }
        String type = rest.substring(0, colon);
        String id = rest.substring(colon + 1);
        int end = id.length();
        for (char separator : new char[] {'_', ':', '/'}) {
            int at = id.indexOf(separator);
            if (at >= 0 && at < end) {
                end = at;
            }
        }
        id = id.substring(0, end);
        if (id.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(
                "prm".equals(type)
                        ? new Device("enedis", "prm", id, "electricity-meter")
                        : new Device("ietf", type, id, null));
    }

    private static String commonPrefix(Collection<String> names) {
        List<String> all = new ArrayList<>(names);
        if (all.isEmpty()) {
            return "";
        }
        String prefix = all.get(0);
        for (String name : all) {
            int i = 0;
            while (i < prefix.length() && i < name.length() && prefix.charAt(i) == name.charAt(i)) {
                i++;
            }
            prefix = prefix.substring(0, i);
        }
        return prefix;
    }
}
