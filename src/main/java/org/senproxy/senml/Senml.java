package org.senproxy.senml;

import java.util.List;
import java.util.Objects;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The one place sen-proxy reads and writes SenML (RFC 8428).
 *
 * <p>Working with SenML takes two steps:
 * <ol>
 * <li><b>parse</b> a document ({@link #parseJson(String)}, {@link #parseXml(String)}, {@link #parseCbor(byte[])})
 * into {@link SenmlRecord}s, the records as written, with their base fields. Parsing checks the syntax: a JSON array
 * of objects (or a {@code sensml} XML element, or a CBOR array of maps), fields of the right types, no unknown field whose label ends with '_';</li>
 * <li><b>resolve</b> the records ({@link #resolve(List, double)}) into {@link Measurement}s: base fields applied,
 * names and times made absolute, sorted by time. Resolving checks the meaning: valid names, exactly one value,
 * supported version.</li>
 * </ol>
 * Every problem with the input is a {@link SenmlException} that names the record and the field.
 *
 * <p>The other way round, {@link #fromMeasurements(List)} turns measurements back into plain records, and
 * {@link #toJson(List)}, {@link #toXml(List)} and {@link #toCbor(List)} write records.
 *
 * <p>All methods are thread-safe.
 */
public final class Senml {

    /** The XML namespace of the {@code sensml} and {@code senml} elements. */
    public static final String XML_NAMESPACE = XmlCodec.NAMESPACE;

    private Senml() {}

    // ---- JSON

    /**
     * Reads a SenML JSON pack (RFC 8428 section 5).
     *
     * @param json the document; at most 16 MiB, 64 levels of nesting and numbers of 100 digits
     * @return the records in document order (an empty pack gives an empty list)
     * @throws SenmlException if the document is not valid JSON, not an array of objects, has a field of the wrong
     *                        type or a must-understand field (label ending with '_')
     */
    public static List<SenmlRecord> parseJson(String json) {
        return JsonCodec.parse(Objects.requireNonNull(json, "json"));
    }

    /** Same as {@link #parseJson(String)}, for the document's bytes (UTF-8). */
    public static List<SenmlRecord> parseJson(byte[] json) {
        return JsonCodec.parse(Objects.requireNonNull(json, "json"));
    }

    /** Same as {@link #parseJson(String)}, for a document Jackson has already read (such as a jq result). */
    public static List<SenmlRecord> parseJson(JsonNode json) {
        return JsonCodec.parse(json);
    }

    /**
     * Writes records as compact SenML JSON: absent fields omitted, fields in the order
     * bn bt bu bv bs bver n u v vs vb vd s t ut, each number in a form that reads back as the same double.
     *
     * @throws SenmlException if a number is NaN or infinite
     */
    public static String toJson(List<SenmlRecord> records) {
        return JsonCodec.write(records);
    }

    // ---- CBOR

    /**
     * Reads a SenML CBOR pack (RFC 8428 section 6: integer labels, vd as a byte string), with the same checks as
     * {@link #parseJson(String)}.
     *
     * @throws SenmlException if the document is not valid CBOR, or breaks one of those rules
     */
    public static List<SenmlRecord> parseCbor(byte[] cbor) {
        return CborCodec.parse(Objects.requireNonNull(cbor, "cbor"));
    }

    /**
     * Writes records as SenML CBOR: integer labels for the fields of RFC 8428, integral numbers as CBOR integers,
     * others as doubles, vd as a byte string.
     *
     * @throws SenmlException if a number is NaN or infinite, or a vd is not base64url
     */
    public static byte[] toCbor(List<SenmlRecord> records) {
        return CborCodec.write(records);
    }

    // ---- resolution

    /**
     * Resolves a pack (RFC 8428 section 4.6): each base field applies to its record and the following ones until a
     * record changes it; the name is bn + n, the unit u or else bu, the value v + bv, the sum s + bs (bs counts only
     * in records that have an s), the time bt + t, made absolute by adding {@code nowSeconds} when below 2^28.
     *
     * @param records    the records in pack order
     * @param nowSeconds "now" in seconds since the Unix epoch, for relative times
     * @return the measurements sorted by time; records with the same time keep their pack order
     * @throws SenmlException if a name is empty or has a character RFC 8428 forbids, a unit is not in the SenML
     *                        units registry (primary or secondary), a record has no value and no sum or more than
     *                        one value field, a data value is not base64url, or the version is not one this reader
     *                        understands (1 to 10, or 26: 10 with secondary units, RFC 9100) or changes within the
     *                        pack
     */
    public static List<Measurement> resolve(List<SenmlRecord> records, double nowSeconds) {
        return Resolver.resolve(records, nowSeconds);
    }

    /**
     * Measurements in the order {@link #resolve} gives them (by time, ties in their order): what a pack of these
     * measurements reads back as, whatever order they were written in.
     */
    public static List<Measurement> inResolvedOrder(List<Measurement> measurements) {
        return Resolver.inTimeOrder(measurements);
    }

    /**
     * Plain records for resolved measurements: name, unit, absolute time, value fields, sum and update time, no
     * base fields, except that a pack using a secondary unit ({@code Wh}, {@code kWh}...) declares {@code bver} 26
     * on its first record (RFC 8798, RFC 9100). Note that a time below 2^28 would read back as relative to "now".
     */
    public static List<SenmlRecord> fromMeasurements(List<Measurement> resolved) {
        return Resolver.fromMeasurements(resolved);
    }

    // ---- XML

    /**
     * Writes records as SenML XML (RFC 8428 section 7):
     * {@code <sensml xmlns="urn:ietf:params:xml:ns:senml"><senml bn="..." v="..."/>...</sensml>}.
     *
     * @throws SenmlException if a number is NaN or infinite, or a string holds a character an XML attribute cannot
     *                        carry unchanged (control characters, including tab, CR and LF)
     */
    public static String toXml(List<SenmlRecord> records) {
        return XmlCodec.write(records);
    }

    /**
     * Reads a SenML XML document, with the same checks as {@link #parseJson(String)}: the root element is
     * {@code sensml} in the namespace {@value #XML_NAMESPACE}, holding only empty {@code senml} elements whose
     * attributes have the XML types of RFC 8428 table 5 (xsd:double without INF and NaN, xsd:int, xsd:boolean).
     * Attributes in other namespaces are ignored.
     *
     * @throws SenmlException if the document is not well-formed, has a DOCTYPE, or breaks one of those rules
     */
    public static List<SenmlRecord> parseXml(String xml) {
        return XmlCodec.parse(Objects.requireNonNull(xml, "xml"));
    }

    /**
     * Writes the {@code sensml} element, declaring its default namespace, and its records at the writer's current
     * position, for embedding SenML in a larger document. Nothing is written when a record cannot be written.
     *
     * @throws SenmlException     as {@link #toXml(List)}
     * @throws XMLStreamException if the writer fails
     */
    public static void writeXml(XMLStreamWriter writer, List<SenmlRecord> records) throws XMLStreamException {
        XmlCodec.write(writer, records);
    }

    /**
     * Reads the records of a {@code sensml} element embedded in a larger document. The reader must be on the
     * element's START_ELEMENT; it is left on its END_ELEMENT. Create the reader with {@link #secureInputFactory()}.
     *
     * @throws SenmlException as {@link #parseXml(String)}, also when the XML around the records is not well-formed
     */
    public static List<SenmlRecord> readXml(XMLStreamReader reader) {
        return XmlCodec.read(reader);
    }

    /**
     * A new StAX input factory (the JDK's own) with DTD support and external entities turned off, for reading
     * untrusted XML.
     */
    public static XMLInputFactory secureInputFactory() {
        return XmlCodec.secureInputFactory();
    }
}
