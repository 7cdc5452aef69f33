package org.senproxy.catalogue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.senproxy.observe.HyperCat;
import org.senproxy.runtime.ProxyApplication;
import org.senproxy.testing.OfflineProxy;
import org.senproxy.testing.RouteHarness;

/**
 * The catalogue derived from the real connector files: every shipped source declares its series, identifiers come
 * from each connector's settings, a series that a setting does not select is left out, record names are matched to
 * their series (patterns included), and each connector's period comes from its declaration or its poll interval.
 * Then the HyperCat document a running proxy serves at /catalogue.json, to the holder of a status token.
 */
class CatalogueTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PRM = "09111642617347";

    /** What every shipped source needs to load, with a few choices the assertions below rely on. */
    private static Map<String, String> sourceSettings() {
        Map<String, String> s = new HashMap<>();
        s.put("ecodevices.address", "127.0.0.1:1");
        s.put("ecodevices.base-name", "urn:dev:prm:" + PRM + "_");
        s.put("ecodevices.poll-interval-ms", "30000");
        s.put("ecodevices.c1-unit", "l");
        s.put("ecodevices.power-above", "6000");
        s.put("teleinfo-mqtt.topic", "teleinfo/1");
        s.put("teleinfo-mqtt.base-name", "urn:dev:prm:21728123456_");
        s.put("zabbix.url", "http://127.0.0.1:1/zabbix/api_jsonrpc.php");
        s.put("zabbix.api-token", "t");
        s.put("zabbix.item-ids", "23296,23297");
        s.put("zabbix.base-name", "urn:dev:zabbix:townhall_");
        s.put("sql-source.query", "SELECT 1");
        s.put("sql-source.base-name", "urn:dev:bmhs:school-12_");
        s.put("sql-source.period-ms", "600000");
        s.put("dataconnect.usage-point-id", "22516914714270");
        s.put("dataconnect.client-id", "c");
        s.put("dataconnect.client-secret", "s");
        s.put("dataconnect.resource", "daily_consumption");
        s.put("sge.url", "http://127.0.0.1:1/sge");
        s.put("sge.login", "someone@example.org");
        s.put("sge.point-id", "30001610071843");
        s.put("adict.pce", "GI123456");
        s.put("adict.client-id", "c");
        s.put("adict.client-secret", "s");
        return s;
    }

    private static List<String> shippedSources() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("connectors"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith("-source.camel.yaml"))
                    .map(n -> n.replace(".camel.yaml", ""))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void isDerivedFromTheShippedConnectorFiles() throws Exception {
        List<String> sources = shippedSources();
        assertThat(sources)
                .contains(
                        "ecodevices-source",
                        "teleinfo-mqtt-source",
                        "zabbix-source",
                        "sql-source",
                        "dataconnect-source",
                        "sge-source",
                        "adict-source");
        List<String> files = new ArrayList<>(
                sources.stream().map(s -> "connectors/" + s + ".camel.yaml").toList());
        try (RouteHarness harness = new RouteHarness(sourceSettings(), files.toArray(String[]::new))) {
            Catalogue catalogue = harness.context.getRegistry().lookupByNameAndType("catalogue", Catalogue.class);
            List<Series> series = catalogue.series();

            assertThat(series)
                    .extracting(Series::connector)
                    .as("every shipped source declares its series")
                    .containsAll(sources);
            assertThat(series)
                    .filteredOn(s -> s.connector().equals("ecodevices-source"))
                    .containsExactly(
                            new Series(
                                    "urn:dev:prm:" + PRM + "_c1/index",
                                    "ecodevices-source",
                                    "counter",
                                    "l",
                                    "index",
                                    30L,
                                    "pulse counter C1 (index)"),
                            new Series(
                                    "urn:dev:prm:" + PRM + "_c2/index",
                                    "ecodevices-source",
                                    "counter",
                                    "Wh",
                                    "index",
                                    30L,
                                    "pulse counter C2 (index)"),
                            new Series(
                                    "urn:dev:prm:" + PRM + "_consumption/energy/active/index",
                                    "ecodevices-source",
                                    "energy",
                                    "Wh",
                                    "index",
                                    30L,
                                    "the meter's active energy index (teleinfo BASE)"),
                            new Series(
                                    "urn:dev:prm:" + PRM + "_consumption/power/apparent/raw",
                                    "ecodevices-source",
                                    "power",
                                    "VA",
                                    "instant",
                                    30L,
                                    "apparent power (teleinfo PAPP)"),
                            new Series(
                                    "urn:dev:prm:" + PRM + "_tariff-period",
                                    "ecodevices-source",
                                    "tariff-period",
                                    null,
                                    "instant",
                                    30L,
                                    "tariff period in force, as text (teleinfo PTEC)"));
            // dataconnect.resource selects one of the four series the connector can read
            assertThat(series)
                    .filteredOn(s -> s.connector().equals("dataconnect-source"))
                    .extracting(Series::identifier, Series::unit, Series::aggregate, Series::samplingSeconds)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(
                            "urn:dev:prm:22516914714270_consumption/energy/active/daily", "Wh", "sum", 86_400L));
            assertThat(series)
                    .filteredOn(s -> s.connector().equals("sge-source"))
                    .extracting(Series::identifier)
                    .containsExactly("urn:dev:prm:30001610071843_*/power/active/raw");
            assertThat(series)
                    .filteredOn(s -> s.connector().equals("adict-source"))
                    .extracting(Series::identifier)
                    .containsExactly(
                            "urn:dev:pce:GI123456_consumption/energy/gas/daily",
                            "urn:dev:pce:GI123456_consumption/volume/gas/daily");

            // a record's name finds its series, a pattern's too; the exact identifier wins over a pattern
            assertThat(catalogue.find("urn:dev:prm:" + PRM + "_consumption/power/apparent/raw"))
                    .map(Series::unit)
                    .contains("VA");
            assertThat(catalogue.find("urn:dev:zabbix:townhall_system.cpu.load"))
                    .map(Series::connector)
                    .contains("zabbix-source");
            assertThat(catalogue.find("urn:dev:prm:30001610071843_production/power/active/raw"))
                    .map(Series::connector)
                    .contains("sge-source");
            assertThat(catalogue.find("urn:dev:bmhs:school-12_boiler/temperature"))
                    .map(Series::connector)
                    .contains("sql-source");
            assertThat(catalogue.find("urn:dev:prm:30001610071843_consumption/energy/active/daily"))
                    .isEmpty();
            assertThat(catalogue.find("urn:dev:prm:" + PRM + "_consumption/power/apparent/raw/extra"))
                    .isEmpty();
            String power = "urn:dev:prm:" + PRM + "_consumption/power/apparent/raw";
            assertThat(catalogue.declared("ecodevices-source", power))
                    .map(Catalogue.Declared::above)
                    .contains(6000.0);
            assertThat(catalogue.declared("zabbix-source", power))
                    .as("among one connector's series only")
                    .isEmpty();

            // periods: declared (teleinfo's setting, the daily APIs' day, sql-source.period-ms), else the poll interval
            assertThat(catalogue.connectorPeriods())
                    .containsExactlyInAnyOrderEntriesOf(Map.of(
                            "ecodevices-source", Duration.ofSeconds(30),
                            "teleinfo-mqtt-source", Duration.ofMinutes(1),
                            "zabbix-source", Duration.ofMinutes(1),
                            "sql-source", Duration.ofMinutes(10),
                            "dataconnect-source", Duration.ofDays(1),
                            "sge-source", Duration.ofDays(1),
                            "adict-source", Duration.ofDays(1)));
        }
    }

    @Test
    void aDeclarationThatCannotBeReadSaysWhy() {
        SeriesDeclaration d = new SeriesDeclaration();
        d.setConnector("x-source");
        d.setIdentifier("urn:dev:x:1_power");
        d.setUnit("W");
        assertThat(Catalogue.read(d).series())
                .isEqualTo(new Series("urn:dev:x:1_power", "x-source", null, "W", null, null, null));

        d.setAbove("lots");
        assertThatThrownBy(() -> Catalogue.read(d)).hasMessage("above 'lots' is not a number");
        d.setAbove("");
        d.setUnit("kWatt");
        assertThatThrownBy(() -> Catalogue.read(d)).hasMessage("unit 'kWatt' is not in the SenML units registry");
        d.setUnit("W");
        d.setSampling("half an hour");
        assertThatThrownBy(() -> Catalogue.read(d)).hasMessageContaining("sampling 'half an hour' is neither");
        d.setSampling("PT30M");
        assertThat(Catalogue.read(d).series().samplingSeconds()).isEqualTo(1800L);
        d.setIdentifier("urn:dev:x:1 power");
        assertThatThrownBy(() -> Catalogue.read(d)).hasMessageContaining("has characters a SenML name cannot have");
        d.setIdentifier("urn:dev:x:1_power");
        d.setWhen("PA = PA");
        assertThatThrownBy(() -> Catalogue.read(d)).hasMessageContaining("is not of the form '<a> == <b>'");
        d.setWhen("PA == PRI");
        assertThat(Catalogue.read(d)).as("not for this configuration").isNull();
    }

    @Test
    void aRunningProxyServesItsCatalogueAsHyperCat() throws Exception {
        Map<String, String> settings = OfflineProxy.settings("proxy-c@localhost");
        settings.putAll(sourceSettings());
        settings.put("ecodevices.poll-interval-ms", "3600000");
        settings.put("zabbix.poll-interval-ms", "3600000");
        settings.put("senproxy.connectors", "ecodevices-source, zabbix-source");
        settings.put("senproxy.admin.read-token", "read-token-of-this-test");
        ProxyApplication proxy = new ProxyApplication(Path.of("."), settings);
        proxy.start();
        try {
            URI uri = URI.create("http://127.0.0.1:" + settings.get("camel.server.port") + "/catalogue.json");
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> refused =
                    http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(refused.statusCode())
                    .as("identifiers name meters: the status page's read token")
                    .isEqualTo(401);
            assertThat(refused.body()).doesNotContain(PRM);
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(uri)
                            .header("Authorization", "Bearer read-token-of-this-test")
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type"))
                    .hasValueSatisfying(t -> assertThat(t).startsWith(HyperCat.CONTENT_TYPE));
            JsonNode catalogue = JSON.readTree(response.body());

            assertThat(rel(catalogue.path("catalogue-metadata"), "urn:X-hypercat:rels:isContentType"))
                    .contains("application/vnd.hypercat.catalogue+json");
            assertThat(rel(catalogue.path("catalogue-metadata"), "urn:X-hypercat:rels:hasDescription:en"))
                    .hasValueSatisfying(d -> assertThat(d).contains("proxy-c@localhost"));
            assertThat(catalogue.path("items").findValuesAsText("href"))
                    .as("the loaded connectors' series only")
                    .hasSize(6)
                    .contains("urn:dev:prm:" + PRM + "_consumption/power/apparent/raw", "urn:dev:zabbix:townhall_*");
            for (JsonNode item : catalogue.path("items")) {
                assertThat(rel(item.path("item-metadata"), "urn:X-hypercat:rels:hasDescription:en"))
                        .as("HyperCat: every item has a description")
                        .isPresent();
            }
            JsonNode power = item(catalogue, "urn:dev:prm:" + PRM + "_consumption/power/apparent/raw");
            assertThat(rel(power.path("item-metadata"), "urn:X-senproxy:rels:connector"))
                    .contains("ecodevices-source");
            assertThat(rel(power.path("item-metadata"), "urn:X-senproxy:rels:quantity"))
                    .contains("power");
            assertThat(rel(power.path("item-metadata"), "urn:X-senproxy:rels:unit"))
                    .contains("VA");
            assertThat(rel(power.path("item-metadata"), "urn:X-senproxy:rels:aggregate"))
                    .contains("instant");
            assertThat(rel(power.path("item-metadata"), "urn:X-senproxy:rels:samplingIntervalSeconds"))
                    .contains("3600");
            assertThat(rel(power.path("item-metadata"), "urn:X-senproxy:rels:isPattern"))
                    .isEmpty();
            JsonNode zabbix = item(catalogue, "urn:dev:zabbix:townhall_*");
            assertThat(rel(zabbix.path("item-metadata"), "urn:X-senproxy:rels:isPattern"))
                    .contains("true");
            assertThat(rel(zabbix.path("item-metadata"), "urn:X-senproxy:rels:unit"))
                    .as("not declared: left out")
                    .isEmpty();
        } finally {
            proxy.stop();
        }
    }

    private static JsonNode item(JsonNode catalogue, String href) {
        for (JsonNode item : catalogue.path("items")) {
            if (item.path("href").asText().equals(href)) {
                return item;
            }
        }
        throw new AssertionError("no item " + href);
    }

    private static Optional<String> rel(JsonNode metadata, String rel) {
        for (JsonNode pair : metadata) {
            if (pair.path("rel").asText().equals(rel)) {
                return Optional.of(pair.path("val").asText());
            }
        }
        return Optional.empty();
    }
}
