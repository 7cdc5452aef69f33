package org.senproxy.quoalise;

import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/**
 * Quoalise's data element, {@code <quoalise xmlns="urn:quoalise:0"><data><meta>...</meta><sensml>...</sensml></data>
 * </quoalise>}, written for one series, and cut into several when it would outgrow a stanza size limit.
 *
 * <p>The meta element says what this proxy knows of the series from its records: the identifier and the unit, and the
 * sampling interval when records carry a duration ({@code dur}).
 */
final class QuoaliseData {

    private static final XMLOutputFactory XML = XMLOutputFactory.newFactory();

    private QuoaliseData() {
    }

    static String write(String identifier, List<Measurement> records) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter w = XML.createXMLStreamWriter(out);
            w.writeStartElement("quoalise");
            w.writeDefaultNamespace("urn:quoalise:0");
            w.writeStartElement("data");
            w.writeStartElement("meta");
            w.writeStartElement("device");
            w.writeEmptyElement("identifier");
            w.writeAttribute("authority", "sen-proxy");
            w.writeAttribute("type", "series");
            w.writeAttribute("value", identifier);
            w.writeEndElement();
            w.writeStartElement("measurement");
            if (!records.isEmpty() && records.get(0).unit() != null) {
                w.writeEmptyElement("physical");
                w.writeAttribute("unit", records.get(0).unit());
            }
            if (!records.isEmpty() && records.get(0).duration() != null) {
                w.writeEmptyElement("sampling");
                w.writeAttribute("interval", Long.toString(Math.round(records.get(0).duration())));
            }
            w.writeEndElement();
            w.writeEndElement();
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
        List<String> parts = new ArrayList<>();
        split(identifier, records, maxChars, parts);
        return parts;
    }

    private static void split(String identifier, List<Measurement> records, int maxChars, List<String> parts) {
        String xml = write(identifier, records);
        if (xml.length() <= maxChars || records.size() <= 1) {
            parts.add(xml);
            return;
        }
        int half = records.size() / 2;
        split(identifier, records.subList(0, half), maxChars, parts);
        split(identifier, records.subList(half, records.size()), maxChars, parts);
    }
}
