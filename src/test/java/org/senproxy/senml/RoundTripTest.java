package org.senproxy.senml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Writing records and reading them back, in JSON and XML. */
class RoundTripTest {

    /** Every field set, with awkward numbers and strings. */
    static final List<SenmlRecord> ALL_FIELDS = List.of(
            new SenmlRecord(
                    "urn:dev:ow:10e2073a01080063:",
                    1.276020076001e9,
                    "A",
                    0.1,
                    -2.5e-7,
                    10,
                    "current",
                    "mA",
                    1.7,
                    null,
                    null,
                    null,
                    123456.789,
                    -5.0,
                    60.0),
            new SenmlRecord(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    "label",
                    null,
                    null,
                    "Machine \"Room\" <&> 'é' \uD83D\uDE00",
                    null,
                    null,
                    null,
                    0.1,
                    null),
            new SenmlRecord(
                    null, null, null, null, null, null, "open", null, null, null, false, null, null, null, null),
            new SenmlRecord(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    "nfv-reader",
                    null,
                    null,
                    null,
                    null,
                    "aGkgCg",
                    null,
                    null,
                    null),
            new SenmlRecord(
                    null,
                    1e300,
                    null,
                    null,
                    null,
                    null,
                    "x",
                    null,
                    -0.0,
                    null,
                    null,
                    null,
                    1e-300,
                    Double.MIN_VALUE,
                    4503599627370497.0),
            SenmlRecord.of("plain", "W", 1700000000.123456, -123.0),
            new SenmlRecord(
                    null,
                    null,
                    null,
                    null,
                    null,
                    null,
                    "load-curve",
                    "W",
                    830.0,
                    null,
                    null,
                    null,
                    null,
                    1680307200.0,
                    null,
                    1800.0));

    @Test
    void jsonRoundTrip() {
        String json = Senml.toJson(ALL_FIELDS);

        assertThat(Senml.parseJson(json)).isEqualTo(ALL_FIELDS);
    }

    @Test
    void xmlRoundTrip() {
        String xml = Senml.toXml(ALL_FIELDS);

        assertThat(Senml.parseXml(xml)).isEqualTo(ALL_FIELDS);
    }

    @Test
    void jsonNodeInput() throws Exception {
        JsonNode node = new ObjectMapper().readTree(Senml.toJson(ALL_FIELDS));

        assertThat(Senml.parseJson(node)).isEqualTo(ALL_FIELDS);
    }

    @Test
    void jsonBytesInput() {
        byte[] utf8 = Senml.toJson(ALL_FIELDS).getBytes(StandardCharsets.UTF_8);

        assertThat(Senml.parseJson(utf8)).isEqualTo(ALL_FIELDS);
    }

    @Test
    void jsonIsCompactOrderedAndOmitsAbsentFields() {
        SenmlRecord record = new SenmlRecord(
                "urn:dev:ow:10e2073a0108006:",
                1.276020076001e9,
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
                -5.0,
                null);

        assertThat(Senml.toJson(List.of(record, SenmlRecord.of("x", null, 1276020076, 23))))
                .isEqualTo("[{\"bn\":\"urn:dev:ow:10e2073a0108006:\",\"bt\":1.276020076001e9,\"bu\":\"A\","
                        + "\"bver\":5,\"n\":\"voltage\",\"u\":\"V\",\"v\":120.1,\"t\":-5},"
                        + "{\"n\":\"x\",\"v\":23,\"t\":1276020076}]");
        assertThat(Senml.toJson(List.of())).isEqualTo("[]");
    }

    @Test
    void numbersUseALowerCaseExponent() {
        String json = Senml.toJson(List.of(SenmlRecord.of("x", null, 1e20, 1.5e-9)));

        assertThat(json).isEqualTo("[{\"n\":\"x\",\"v\":1.5e-9,\"t\":1.0e20}]");
    }

    @Test
    void xmlForm() {
        SenmlRecord record = new SenmlRecord(
                "urn:dev:ow:1:", null, null, null, null, null, "open", null, null, null, true, null, null, 1.5, null);

        assertThat(Senml.toXml(List.of(record, SenmlRecord.of("temp", "Cel", 1700000000, 23.1))))
                .isEqualTo("<sensml xmlns=\"urn:ietf:params:xml:ns:senml\">"
                        + "<senml bn=\"urn:dev:ow:1:\" n=\"open\" vb=\"true\" t=\"1.5\"/>"
                        + "<senml n=\"temp\" u=\"Cel\" v=\"23.1\" t=\"1700000000\"/></sensml>");
    }

    @Test
    void writersRefuseNumbersThatAreNotFinite() {
        List<SenmlRecord> nan = List.of(SenmlRecord.of("a", null, 0, 1), SenmlRecord.of("b", null, Double.NaN, 1));

        SenmlException json = catchThrowableOfType(SenmlException.class, () -> Senml.toJson(nan));
        SenmlException xml = catchThrowableOfType(SenmlException.class, () -> Senml.toXml(nan));

        assertThat(json.recordIndex()).isEqualTo(1);
        assertThat(json.field()).isEqualTo("t");
        assertThat(xml.recordIndex()).isEqualTo(1);
        assertThat(xml.field()).isEqualTo("t");
    }

    @Test
    void xmlRefusesCharactersAnAttributeCannotCarry() {
        List<SenmlRecord> lines = List.of(new SenmlRecord(
                null, null, null, null, null, null, "a", null, null, "line 1\nline 2", null, null, null, null, null));

        SenmlException e = catchThrowableOfType(SenmlException.class, () -> Senml.toXml(lines));

        assertThat(e.recordIndex()).isZero();
        assertThat(e.field()).isEqualTo("vs");
        assertThat(e).hasMessageContaining("U+000A");
        assertThat(Senml.parseJson(Senml.toJson(lines))).isEqualTo(lines); // JSON carries it
    }

    /** The way another codec embeds SenML in its own XML, with either kind of StAX writer. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void embeddedInALargerDocument(boolean repairingNamespaces) throws Exception {
        XMLOutputFactory outputs = XMLOutputFactory.newDefaultFactory();
        outputs.setProperty(XMLOutputFactory.IS_REPAIRING_NAMESPACES, repairingNamespaces);
        StringWriter out = new StringWriter();
        XMLStreamWriter w = outputs.createXMLStreamWriter(out);
        w.writeStartElement("", "quoalise", "urn:quoalise:0");
        w.writeDefaultNamespace("urn:quoalise:0");
        w.writeStartElement("", "data", "urn:quoalise:0");
        w.writeEmptyElement("", "meta", "urn:quoalise:0");
        Senml.writeXml(w, ALL_FIELDS);
        w.writeEndElement();
        w.writeEndElement();
        w.close();

        XMLStreamReader r = Senml.secureInputFactory().createXMLStreamReader(new StringReader(out.toString()));
        assertThat(r.nextTag()).isEqualTo(XMLStreamConstants.START_ELEMENT); // quoalise
        r.nextTag(); // data
        r.nextTag(); // meta
        r.nextTag(); // end of meta
        assertThat(r.nextTag()).isEqualTo(XMLStreamConstants.START_ELEMENT);
        assertThat(r.getLocalName()).isEqualTo("sensml");

        assertThat(Senml.readXml(r)).isEqualTo(ALL_FIELDS);

        assertThat(r.getEventType()).isEqualTo(XMLStreamConstants.END_ELEMENT);
        assertThat(r.getLocalName()).isEqualTo("sensml");
        assertThat(r.nextTag()).isEqualTo(XMLStreamConstants.END_ELEMENT);
        assertThat(r.getLocalName()).isEqualTo("data");
        assertThat(r.getNamespaceURI()).isEqualTo("urn:quoalise:0");
    }

    @Test
    void writeXmlWritesNothingWhenARecordCannotBeWritten() throws Exception {
        StringWriter out = new StringWriter();
        XMLStreamWriter w = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out);
        w.writeStartElement("outer");
        List<SenmlRecord> bad =
                List.of(SenmlRecord.of("a", null, 0, 1), SenmlRecord.of("b", null, 0, Double.POSITIVE_INFINITY));

        catchThrowableOfType(SenmlException.class, () -> Senml.writeXml(w, bad));
        w.flush();

        assertThat(out.toString()).isEqualTo("<outer");
    }

    @Test
    void readXmlNeedsTheSensmlStartElement() throws Exception {
        XMLStreamReader r = Senml.secureInputFactory().createXMLStreamReader(new StringReader("<other/>"));
        r.nextTag();

        SenmlException e = catchThrowableOfType(SenmlException.class, () -> Senml.readXml(r));

        assertThat(e.recordIndex()).isEqualTo(-1);
        assertThat(e).hasMessageContaining("<other>");
    }

    @Test
    void rfcExamplesSurviveBothFormats() {
        for (String json :
                List.of(RfcExamplesTest.RFC_5_1_2_SECOND, RfcExamplesTest.RFC_5_1_3, RfcExamplesTest.RFC_5_1_4)) {
            List<SenmlRecord> records = Senml.parseJson(json);
            assertThat(Senml.parseJson(Senml.toJson(records))).isEqualTo(records);
            assertThat(Senml.parseXml(Senml.toXml(records))).isEqualTo(records);
            assertThat(Senml.parseJson(Senml.toJson(Senml.fromMeasurements(Senml.resolve(records, 1.7e9)))))
                    .isEqualTo(Senml.fromMeasurements(Senml.resolve(records, 1.7e9)));
        }
    }
}
