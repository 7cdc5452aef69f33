package org.senproxy.senml;

import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

/**
 * SenML in XML (RFC 8428 section 7), read and written with StAX:
 * {@code <sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="..." v="..."/>...</sensml>}, one {@code senml}
 * element per record, one attribute per field.
 */
final class XmlCodec {

    static final String NAMESPACE = "urn:ietf:params:xml:ns:senml";
    private static final String PACK = "sensml";
    private static final String RECORD = "senml";

    /** xsd:double without INF, -INF and NaN, which SenML numbers never are. */
    private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)([eE][+-]?\\d+)?");

    private static final Pattern INTEGER = Pattern.compile("[+-]?\\d+");

    private XmlCodec() {}

    /** A JDK StAX input factory that neither reads DTDs nor resolves external entities. */
    static XMLInputFactory secureInputFactory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, true);
        return factory;
    }

    // ---- reading

    static List<SenmlRecord> parse(String xml) {
        XMLStreamReader reader = null;
        try {
            reader = secureInputFactory().createXMLStreamReader(new StringReader(xml));
            moveToRootElement(reader);
            List<SenmlRecord> records = read(reader);
            while (reader.hasNext()) {
                reader.next(); // the parser checks that only comments and processing instructions follow
            }
            return records;
        } catch (XMLStreamException e) {
            throw notXml(e);
        } finally {
            close(reader);
        }
    }

    private static void moveToRootElement(XMLStreamReader reader) throws XMLStreamException {
        while (reader.hasNext()) {
            int event = reader.next();
            if (event == XMLStreamConstants.DTD) {
                throw new SenmlException(-1, null, "DOCTYPE declarations are not allowed");
            }
            if (event == XMLStreamConstants.START_ELEMENT) {
                return;
            }
        }
        throw new SenmlException(-1, null, "no root element");
    }

    /** Reads the records of a {@code sensml} element; see {@link Senml#readXml(XMLStreamReader)}. */
    static List<SenmlRecord> read(XMLStreamReader reader) {
        try {
            if (reader.getEventType() != XMLStreamConstants.START_ELEMENT || !isElement(reader, PACK)) {
                throw new SenmlException(
                        -1, null, "expected a <sensml xmlns=\"" + NAMESPACE + "\"> element, got " + describe(reader));
            }
            List<SenmlRecord> records = new ArrayList<>();
            // nextTag() skips whitespace, comments and processing instructions, and rejects any other text
            while (reader.nextTag() == XMLStreamConstants.START_ELEMENT) {
                int index = records.size();
                if (!isElement(reader, RECORD)) {
                    throw new SenmlException(
                            -1,
                            null,
                            "unexpected element " + describe(reader) + " after " + index
                                    + " records; <sensml> holds only <senml> elements");
                }
                records.add(readRecord(reader, index));
                if (reader.nextTag() != XMLStreamConstants.END_ELEMENT) {
                    throw new SenmlException(
                            index,
                            null,
                            "unexpected element " + describe(reader)
                                    + " inside <senml>; the fields are attributes and the element is empty");
                }
            }
            return List.copyOf(records); // the reader is on </sensml>
        } catch (XMLStreamException e) {
            throw notXml(e);
        }
    }

    private static SenmlRecord readRecord(XMLStreamReader reader, int index) {
        RecordBuilder record = new RecordBuilder();
        for (int i = 0; i < reader.getAttributeCount(); i++) {
            String namespace = reader.getAttributeNamespace(i);
            if (namespace != null && !namespace.isEmpty()) {
                continue; // attributes in another namespace (xml:lang, extensions) are not SenML fields
            }
            String label = reader.getAttributeLocalName(i);
            Field field = Field.byLabel(label);
            if (field != null) {
                record.set(field, value(index, field, reader.getAttributeValue(i)));
            } else if (Field.mustUnderstand(label)) {
                throw new SenmlException(
                        index, label, "unknown field that must be understood (its label ends with" + " '_')");
            }
            // any other unknown field is ignored (RFC 8428 section 4.4)
        }
        return record.build();
    }

    /** The value of an attribute, checked against the XML type of RFC 8428 table 5. */
    private static Object value(int index, Field field, String text) {
        switch (field.type()) {
            case TEXT:
                return text;
            case BOOLEAN: // xsd:boolean
                if (text.equals("true") || text.equals("1")) {
                    return true;
                }
                if (text.equals("false") || text.equals("0")) {
                    return false;
                }
                throw new SenmlException(index, field.label(), "not a boolean (true or false): " + Text.quote(text));
            case NUMBER: // xsd:double
                if (text.length() > JsonCodec.MAX_NUMBER_LENGTH
                        || !DECIMAL.matcher(text).matches()) {
                    throw new SenmlException(index, field.label(), "not a decimal number: " + Text.quote(text));
                }
                double number = Double.parseDouble(text);
                if (!Double.isFinite(number)) {
                    throw new SenmlException(
                            index, field.label(), "number out of the range of a double: " + Text.quote(text));
                }
                return number;
            case INTEGER: // xsd:int
                if (text.length() > JsonCodec.MAX_NUMBER_LENGTH
                        || !INTEGER.matcher(text).matches()) {
                    throw new SenmlException(index, field.label(), "not an integer: " + Text.quote(text));
                }
                try {
                    return Integer.parseInt(text);
                } catch (NumberFormatException e) { // the pattern already holds, so only the range is wrong
                    throw new SenmlException(index, field.label(), "not a 32-bit integer: " + Text.quote(text));
                }
            default:
                throw new IllegalStateException("unhandled field type " + field.type());
        }
    }

    private static boolean isElement(XMLStreamReader reader, String localName) {
        return NAMESPACE.equals(reader.getNamespaceURI()) && localName.equals(reader.getLocalName());
    }

    private static String describe(XMLStreamReader reader) {
        if (!reader.isStartElement()) {
            return "XML event " + reader.getEventType();
        }
        String namespace = reader.getNamespaceURI();
        return "<" + reader.getLocalName()
                + (namespace == null || namespace.isEmpty() ? "" : " xmlns=\"" + namespace + "\"") + ">";
    }

    private static SenmlException notXml(XMLStreamException e) {
        String detail = e.getMessage() == null ? e.toString() : e.getMessage().replaceAll("\\s+", " ");
        return new SenmlException(-1, null, "not well-formed XML: " + detail, e);
    }

    private static void close(XMLStreamReader reader) {
        if (reader == null) {
            return;
        }
        try {
            reader.close();
        } catch (XMLStreamException e) {
            // nothing to release for a string
        }
    }

    // ---- writing

    static String write(List<SenmlRecord> records) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter writer = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out);
            write(writer, records);
            writer.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("cannot write XML to a string", e);
        }
        return out.toString();
    }

    /** Writes the {@code sensml} element; see {@link Senml#writeXml(XMLStreamWriter, List)}. */
    static void write(XMLStreamWriter writer, List<SenmlRecord> records) throws XMLStreamException {
        List<List<Attribute>> elements = new ArrayList<>(records.size());
        for (int index = 0; index < records.size(); index++) {
            elements.add(attributes(index, records.get(index))); // checks everything before writing anything
        }
        writer.writeStartElement("", PACK, NAMESPACE);
        writer.writeDefaultNamespace(NAMESPACE);
        for (List<Attribute> attributes : elements) {
            writer.writeEmptyElement("", RECORD, NAMESPACE);
            for (Attribute attribute : attributes) {
                writer.writeAttribute(attribute.name(), attribute.value());
            }
        }
        writer.writeEndElement();
    }

    private record Attribute(String name, String value) {}

    /** The attributes of one record's {@code senml} element. */
    private static List<Attribute> attributes(int index, SenmlRecord record) {
        if (record == null) {
            throw new NullPointerException("record " + index + " is null");
        }
        List<Attribute> attributes = new ArrayList<>();
        for (Field field : Field.values()) {
            Object value = field.valueIn(record);
            if (value == null) {
                continue;
            }
            String text = switch (field.type()) {
                case TEXT -> requireXmlSafe(index, field, (String) value);
                case NUMBER -> Numbers.format(Numbers.requireFinite(index, field, (Double) value));
                case INTEGER, BOOLEAN -> value.toString();
            };
            attributes.add(new Attribute(field.label(), text));
        }
        return attributes;
    }

    /**
     * The text, if an XML attribute carries it unchanged. XML 1.0 has no way to write most control characters,
     * and a parser turns tab, CR and LF in an attribute into spaces (attribute-value normalization), so all of these
     * are refused rather than silently lost.
     */
    private static String requireXmlSafe(int index, Field field, String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean pairedHigh = Character.isHighSurrogate(c)
                    && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (pairedHigh) {
                i++;
            } else if (c < 0x20 || Character.isSurrogate(c) || c == 0xfffe || c == 0xffff) {
                throw new SenmlException(
                        index,
                        field.label(),
                        String.format(
                                "character U+%04X at position %d" + " cannot be carried in an XML attribute",
                                (int) c, i));
            }
        }
        return text;
    }
}
