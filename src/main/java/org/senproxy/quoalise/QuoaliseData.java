package org.senproxy.quoalise;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.senproxy.catalogue.QuoaliseMeta;
import org.senproxy.catalogue.Series;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * Quoalise's data element, {@code <quoalise xmlns="urn:quoalise:0"><data><meta>...</meta><sensml>...</sensml></data>
 * </quoalise>}, written for one series, and cut into several when it would outgrow a stanza size limit.
 *
 * <p>The meta element ({@link QuoaliseMeta}) names the meter and describes the series as its connector declares it in
 * the catalogue (quantity, unit, aggregate, sampling interval); for a series the catalogue does not know, what its
 * records say (unit, and the sampling interval when they carry a duration, {@code dur}).
 */
final class QuoaliseData {

    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private QuoaliseData() {}

    static String write(String identifier, List<Measurement> records) {
        return write(identifier, null, records);
    }

    static String write(String identifier, Series series, List<Measurement> records) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XML.createXMLStreamWriter(out);
            w.writeStartElement("quoalise");
            w.writeDefaultNamespace("urn:quoalise:0");
            w.writeStartElement("data");
            Measurement first = records.isEmpty() ? null : records.get(0);
            QuoaliseMeta.write(
                    w,
                    List.of(identifier),
                    name -> Optional.ofNullable(series),
                    first == null ? null : first.unit(),
                    first == null ? null : first.duration());
            Senml.writeXml(w, Senml.fromMeasurements(records));
            w.writeEndElement();
            w.writeEndElement();
            w.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write the quoalise element", e);
        }
        return out.toString();
    }

    /**
     * The series as data elements of at most {@code maxChars} characters each, records in order; a single record
     * larger than that still goes, alone.
     */
    static List<String> parts(String identifier, List<Measurement> records, int maxChars) {
        return parts(identifier, null, records, maxChars);
    }

    static List<String> parts(String identifier, Series series, List<Measurement> records, int maxChars) {
        List<String> parts = new ArrayList<>();
        split(identifier, series, records, maxChars, parts);
        return parts;
    }

    private static void split(
            String identifier, Series series, List<Measurement> records, int maxChars, List<String> parts) {
        String xml = write(identifier, series, records);
        if (xml.length() <= maxChars || records.size() <= 1) {
            parts.add(xml);
            return;
        }
        int half = records.size() / 2;
        split(identifier, series, records.subList(0, half), maxChars, parts);
        split(identifier, series, records.subList(half, records.size()), maxChars, parts);
    }
}
