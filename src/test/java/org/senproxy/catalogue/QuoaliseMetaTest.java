package org.senproxy.catalogue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringWriter;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamWriter;

import org.junit.jupiter.api.Test;
import org.senproxy.federation.FederationCodec;
import org.senproxy.outbox.OutboxMessage;
import org.senproxy.senml.Senml;

/** The meta element of Quoalise data: never empty, the meter named where the series carries one, the catalogue's say. */
class QuoaliseMetaTest {

    private static final Series POWER = new Series(
            "urn:dev:prm:*_consumption/power/active/raw", "dataconnect-source", "power", "W", "average", 1800L, null);

    private static String meta(Collection<String> names, Series series) throws Exception {
        StringWriter out = new StringWriter();
        XMLStreamWriter w = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
        QuoaliseMeta.write(w, names, name -> Optional.ofNullable(series), null, null);
        w.close();
        return out.toString();
    }

    @Test
    void aPrmSeriesNamesItsEnedisMeterAndTheCataloguesMeasurement() throws Exception {
        assertThat(meta(List.of("urn:dev:prm:30001610071843_consumption/power/active/raw"), POWER))
                .isEqualTo("<meta><device type=\"electricity-meter\"><identifier authority=\"enedis\" type=\"prm\""
                        + " value=\"30001610071843\"/></device>"
                        + "<measurement name=\"urn:dev:prm:30001610071843_consumption/power/active/raw\">"
                        + "<physical quantity=\"power\" unit=\"W\"/><aggregate type=\"average\"/>"
                        + "<sampling interval=\"1800\"/></measurement></meta>");
    }

    @Test
    void otherDeviceUrnsKeepTheirTypeAndANameWithoutADeviceIsTheSeries() throws Exception {
        assertThat(meta(List.of("urn:dev:mac:0024befffe804ff1_temperature"), null))
                .contains("<identifier authority=\"ietf\" type=\"mac\" value=\"0024befffe804ff1\"/>")
                .contains("<measurement name=\"urn:dev:mac:0024befffe804ff1_temperature\"/>");
        assertThat(meta(List.of("city/hall/power"), null))
                .contains("<identifier authority=\"sen-proxy\" type=\"series\" value=\"city/hall/power\"/>");
        // several series of one meter: the meter, no measurement; of several meters: what the names share
        assertThat(meta(List.of("urn:dev:prm:1_power", "urn:dev:prm:1_energy"), null))
                .contains("value=\"1\"")
                .doesNotContain("measurement");
        assertThat(meta(List.of("urn:dev:prm:1_power", "urn:dev:prm:2_power"), null))
                .contains("<identifier authority=\"sen-proxy\" type=\"series\" value=\"urn:dev:prm:\"/>");
    }

    @Test
    void aFederationMessageCarriesAFilledMetaFromTheCatalogue() throws Exception {
        String payload = "[{\"bn\":\"urn:dev:prm:30001610071843_\",\"n\":\"consumption/power/active/raw\",\"u\":\"W\","
                + "\"t\":1700000000,\"v\":1}]";
        OutboxMessage row = new OutboxMessage(
                1,
                "6f1d2c1e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
                "c",
                "b@localhost",
                Senml.toJson(Senml.parseJson(payload)),
                1,
                0,
                null,
                null);
        String xml = new FederationCodec("a@localhost")
                .describingSeriesWith(name -> Optional.of(POWER))
                .toStanza(row)
                .toXML(null)
                .toString();
        assertThat(xml)
                .contains("<meta><device type=\"electricity-meter\"><identifier authority=\"enedis\"")
                .contains("<aggregate type=\"average\"/>");
    }
}
