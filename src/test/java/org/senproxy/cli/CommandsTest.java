package org.senproxy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.senproxy.senml.Senml;

/** The operator subcommands {@code senml resolve|validate} and {@code transform}, run as the jar runs them. */
class CommandsTest {

    @RegisterExtension
    final CommandRunner cli = new CommandRunner();

    private final InputStream stdin = System.in;

    @AfterEach
    void restore() {
        System.setIn(stdin);
    }

    private int run(String input, String... args) {
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        return cli.run(args);
    }

    @Test
    void resolvePrintsAbsoluteChronologicalRecordsWithoutBaseFields() {
        String pack = "[{\"bn\":\"urn:dev:prm:1_\",\"bt\":1700000000,\"bu\":\"W\",\"n\":\"power\",\"t\":60,\"v\":2},"
                + "{\"n\":\"power\",\"v\":1},{\"n\":\"energy\",\"u\":\"Wh\",\"t\":30,\"v\":5}]";
        assertThat(run(pack, "senml", "resolve")).isZero();
        // Wh is a secondary unit (RFC 8798): the resolved pack declares it with bver 26 (RFC 9100)
        assertThat(cli.out().trim())
                .isEqualTo("[{\"bver\":26,\"n\":\"urn:dev:prm:1_power\",\"u\":\"W\",\"v\":1,\"t\":1700000000},"
                        + "{\"n\":\"urn:dev:prm:1_energy\",\"u\":\"Wh\",\"v\":5,\"t\":1700000030},"
                        + "{\"n\":\"urn:dev:prm:1_power\",\"u\":\"W\",\"v\":2,\"t\":1700000060}]");
    }

    @Test
    void resolveReadsAndWritesXml() {
        String xml = "<sensml xmlns=\"urn:ietf:params:xml:ns:senml\"><senml bn=\"urn:dev:x:1_\" n=\"t\" u=\"Cel\""
                + " v=\"21.5\" t=\"1700000000\"/></sensml>";
        assertThat(run(xml, "senml", "resolve", "--from", "xml", "--to", "xml")).isZero();
        assertThat(cli.out()).contains("<senml n=\"urn:dev:x:1_t\" u=\"Cel\" v=\"21.5\" t=\"1700000000\"/>");
    }

    @Test
    void resolveReadsAndWritesCbor() {
        String json = "[{\"bn\":\"urn:dev:x:1_\",\"n\":\"t\",\"u\":\"Cel\",\"v\":21.5,\"t\":1700000000}]";
        PrintStream stdout = System.out;
        ByteArrayOutputStream cbor = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(cbor));
            assertThat(run(json, "senml", "resolve", "--to", "cbor")).isZero();
        } finally {
            System.setOut(stdout);
        }
        assertThat(cbor.toByteArray())
                .isEqualTo(Senml.toCbor(
                        Senml.parseJson("[{\"n\":\"urn:dev:x:1_t\",\"u\":\"Cel\",\"v\":21.5,\"t\":1700000000}]")));

        System.setIn(new ByteArrayInputStream(cbor.toByteArray()));
        assertThat(cli.run("senml", "resolve", "--from", "cbor")).isZero();
        assertThat(cli.out().trim()).isEqualTo("[{\"n\":\"urn:dev:x:1_t\",\"u\":\"Cel\",\"v\":21.5,\"t\":1700000000}]");
    }

    @Test
    void relativeTimesAreResolvedAgainstNow() {
        assertThat(run("[{\"n\":\"x\",\"v\":1,\"t\":-10}]", "senml", "resolve", "--now", "1700000000"))
                .isZero();
        assertThat(cli.out()).contains("\"t\":1699999990");
    }

    @Test
    void anInvalidPackExitsTwoNamingTheRecordAndTheField() {
        assertThat(run("[{\"n\":\"ok\",\"v\":1},{\"n\":\"bad\",\"v\":1,\"vs\":\"two values\"}]", "senml", "validate"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("record 1").contains("field 'v");
        assertThat(cli.out()).isEmpty();
    }

    @Test
    void validateSaysHowManyRecords() {
        assertThat(run("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"vb\":true}]", "senml", "validate"))
                .isZero();
        assertThat(cli.out()).contains("valid SenML: 2 record(s)");
    }

    @Test
    void malformedJsonExitsTwo() {
        assertThat(run("[{\"n\":", "senml", "validate")).isEqualTo(2);
        assertThat(cli.err()).contains("invalid SenML: pack");
    }

    @Test
    void transformRunsTheNamedMappingWithItsHeaders() throws Exception {
        String frame = Files.readString(Path.of("src/test/resources/fixtures/ecodevices/teleinfo.json"));
        assertThat(run(
                        frame,
                        "transform",
                        "ecodevices-to-senml",
                        "-H",
                        "EcodevicesBaseName=urn:dev:prm:1_",
                        "-H",
                        "EcodevicesC1Unit=Wh",
                        "-H",
                        "EcodevicesC2Unit=l",
                        "--resolve"))
                .as(cli.err())
                .isZero();
        assertThat(cli.out())
                .contains("\"n\" : \"urn:dev:prm:1_consumption/energy/active/index\"")
                .contains("\"v\" : 1875395")
                .contains("\"vs\" : \"TH..\"");
    }

    @Test
    void aTransformFailingOnItsInputExitsTwo() {
        assertThat(run("<html>not json", "transform", "ecodevices-to-senml")).isEqualTo(2);
        assertThat(cli.err()).contains("transform ecodevices-to-senml failed");
    }

    @Test
    void aTransformProducingInvalidSenmlExitsTwo() {
        // without the base-name header, names are the bare series: "tariff-period" is fine, but a value that is
        // not a number is caught by the SenML check
        assertThat(run(
                        "{\"T1_BASE\":\"not a number\"}",
                        "transform",
                        "ecodevices-to-senml",
                        "-H",
                        "EcodevicesBaseName=urn:dev:prm:1_"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("produced invalid SenML").contains("record 0");
    }

    @Test
    void anUnknownTransformExitsOne() {
        assertThat(run("{}", "transform", "no-such-transform")).isEqualTo(1);
        assertThat(cli.err()).contains("no transform named 'no-such-transform'");
    }

    @Test
    void listNamesTheTransforms() {
        assertThat(run("", "transform", "--list")).isZero();
        assertThat(cli.out()).contains("ecodevices-to-senml");
    }

    /** Scripts must notice a mistyped or missing command: exit 2, never 0 (the review's `sen-proxy peers invite`). */
    @Test
    void anUnknownOrMissingCommandExitsWithTwo() {
        assertThat(cli.run("peers", "revoke")).isEqualTo(2); // peers exists (kill-switch, enrollment); revoke not yet
        assertThat(cli.err()).contains("Unmatched argument");
        assertThat(cli.run("peers", "invite")).isEqualTo(2); // invite exists now: without its --name
        assertThat(cli.err()).contains("Missing required option: '--name=<name>'");
        assertThat(cli.run("peers", "join", "--name", "x", "--wait", "soon", "senproxy-invite:v1:x"))
                .isEqualTo(2);
        assertThat(cli.err()).contains("'soon' is not a duration");
        assertThat(cli.run("consents", "frobnicate")).isEqualTo(2);
        assertThat(cli.run("consents")).isEqualTo(2);
        assertThat(cli.err())
                .contains(
                        "sen-proxy consents: which command? One of grant, list, narrow, revoke, request, requests, approve, refuse.");
        for (String group : new String[] {
            "apps", "audit", "connectors", "credentials", "dead-letters", "keys", "peers", "senml", "subscriptions"
        }) {
            assertThat(cli.run(group)).as(group).isEqualTo(2);
        }
        assertThat(cli.run("consents", "--help")).isZero();
    }

    /** The first hour: the commands work on an empty database, and say in one line when they cannot reach one. */
    @Test
    void theCommandsBringAnEmptyDatabaseUpToDateAndAnUnreachableOneIsOneLine() {
        String empty = org.senproxy.testing.TestPostgres.newDatabase("fresh");
        assertThat(cli.run(
                        "apps",
                        "add",
                        "--name",
                        "city",
                        "--jid",
                        "city@example.org",
                        "--db-url",
                        empty,
                        "--db-user",
                        "postgres"))
                .as(cli.err())
                .isZero();
        assertThat(cli.run("apps", "list", "--db-url", empty, "--db-user", "postgres"))
                .isZero();
        assertThat(cli.out()).contains("city@example.org");

        int port = org.senproxy.testing.FreePort.next();
        String nowhere = "jdbc:postgresql://127.0.0.1:" + port + "/senproxy?connectTimeout=2";
        assertThat(cli.run("apps", "list", "--db-url", nowhere, "--db-user", "postgres"))
                .isEqualTo(1);
        assertThat(cli.err())
                .contains("sen-proxy list: cannot bring the database jdbc:postgresql://127.0.0.1:" + port)
                .contains("(--verbose prints the details)")
                .doesNotContain("\tat ")
                .doesNotContain("Exception:");
        assertThat(cli.err().strip().lines()).hasSize(2);
        assertThat(cli.run("apps", "list", "--db-url", nowhere, "--db-user", "postgres", "--verbose"))
                .isEqualTo(1);
        assertThat(cli.err()).contains("\tat org.");
    }
}
