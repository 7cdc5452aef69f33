package org.senproxy.senml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.junit.jupiter.api.Test;

/** Everything Senml refuses, and how it says where the problem is. */
class RejectionTest {

    private static final double NOW = 1_700_000_000;

    // ---- resolution rules

    @Test
    void aNameLongerThanTheCapIsRefusedWhetherTheLengthIsInTheBaseNameOrTheName() {
        String base = "urn:dev:prm:" + "1".repeat(250);
        SenmlException e = rejectJson("[{\"bn\":\"" + base + "\",\"n\":\"_power\",\"v\":1}]");
        assertThat(e.getMessage()).contains("name of 268 characters (bn + n) is longer than the 255");
        assertThat(rejectJson("[{\"n\":\"" + "a".repeat(4_000) + "\",\"v\":1}]").getMessage())
                .contains("name of 4000 characters");
        assertThat(Senml.resolve(Senml.parseJson("[{\"n\":\"" + "a".repeat(255) + "\",\"v\":1}]"), NOW))
                .hasSize(1);
    }

    @Test
    void twoValueFields() {
        SenmlException e = rejectJson("""
                [{"bn":"m:","n":"a","v":1},{"n":"b","v":2},{"n":"c","vs":"x"},
                 {"n":"d","v":12,"vs":"12"}]""");

        assertThat(e.recordIndex()).isEqualTo(3);
        assertThat(e.field()).isEqualTo("v");
        assertThat(e).hasMessage("record 3, field 'v': two value fields (v and vs); a record has exactly one");
    }

    @Test
    void threeValueFields() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"vs\":\"x\",\"vb\":true,\"vd\":\"AA\"}]");

        assertThat(e).hasMessage("record 0, field 'vs': three value fields (vs, vb and vd); a record has exactly one");
    }

    @Test
    void noValueAndNoSum() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"u\":\"W\",\"t\":5}]");

        assertLocation(e, 1, "v");
        assertThat(e).hasMessageStartingWith("record 1, field 'v': no value field");
    }

    @Test
    void baseSumAloneIsNotASum() {
        assertLocation(rejectJson("[{\"n\":\"a\",\"bs\":5}]"), 0, "v");
    }

    @Test
    void aDurationIsPositive() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":1,\"dur\":1800},{\"n\":\"b\",\"v\":1,\"dur\":0}]");

        assertLocation(e, 1, "dur");
        assertThat(e).hasMessage("record 1, field 'dur': a duration is a positive number of seconds, got 0");
        assertLocation(rejectJson("[{\"n\":\"a\",\"v\":1,\"dur\":\"PT30M\"}]"), 0, "dur");
    }

    @Test
    void badNameCharacter() {
        assertLocation(rejectJson("[{\"n\":\"ok\",\"v\":1},{\"n\":\"room 1\",\"v\":1}]"), 1, "n");
        assertLocation(rejectJson("[{\"bn\":\"urn:dev#x\",\"v\":1}]"), 0, "n");
        assertLocation(rejectJson("[{\"n\":\"t\u00e9mp\",\"v\":1}]"), 0, "n");
    }

    @Test
    void nameMustStartWithALetterOrDigit() {
        assertLocation(rejectJson("[{\"n\":\"-temp\",\"v\":1}]"), 0, "n");
        assertLocation(rejectJson("[{\"bn\":\"/dev/\",\"n\":\"temp\",\"v\":1}]"), 0, "n");
        assertThat(Senml.resolve(Senml.parseJson("[{\"n\":\"9-a:b./c_d\",\"v\":1}]"), NOW))
                .hasSize(1);
    }

    @Test
    void emptyName() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":1},{\"v\":1}]");

        assertLocation(e, 2, "n");
        assertThat(e).hasMessageContaining("empty name");
        assertLocation(rejectJson("[{\"bn\":\"\",\"n\":\"\",\"v\":1}]"), 0, "n");
    }

    @Test
    void mustUnderstandFieldInJson() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":2,\"foo_\":1}]");

        assertLocation(e, 1, "foo_");
        assertThat(e).hasMessageStartingWith("record 1, field 'foo_': unknown field that must be understood");
    }

    @Test
    void otherUnknownFieldsAreIgnored() {
        assertThat(Senml.parseJson("[{\"n\":\"a\",\"v\":1,\"foo\":{\"x\":[1,2]},\"_bar\":null}]"))
                .containsExactly(new SenmlRecord(
                        null, null, null, null, null, null, "a", null, 1.0, null, null, null, null, null, null));
    }

    @Test
    void unsupportedVersion() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":1},{\"bver\":99,\"n\":\"b\",\"v\":1}]");

        assertLocation(e, 1, "bver");
        assertThat(e).hasMessageStartingWith("record 1, field 'bver': unsupported SenML version 99");
    }

    @Test
    void versionMustBePositiveAndTheSameThroughoutThePack() {
        assertLocation(rejectJson("[{\"bver\":0,\"n\":\"a\",\"v\":1}]"), 0, "bver");
        assertLocation(rejectJson("[{\"bver\":5,\"n\":\"a\",\"v\":1},{\"bver\":10,\"n\":\"b\",\"v\":1}]"), 1, "bver");
        // no bver on the first record means version 10
        assertLocation(rejectJson("[{\"n\":\"a\",\"v\":1},{\"bver\":9,\"n\":\"b\",\"v\":1}]"), 1, "bver");
    }

    @Test
    void badDataValue() {
        assertLocation(rejectJson("[{\"n\":\"a\",\"vd\":\"aGk=\"}]"), 0, "vd"); // padding
        assertLocation(rejectJson("[{\"n\":\"a\",\"vd\":\"a+/b\"}]"), 0, "vd"); // base64, not base64url
        assertLocation(rejectJson("[{\"n\":\"a\",\"vd\":\"aGkgC\"}]"), 0, "vd"); // impossible length
        assertLocation(rejectJson("[{\"n\":\"a\",\"vd\":\"a b\"}]"), 0, "vd");
        assertThat(Senml.resolve(Senml.parseJson("[{\"n\":\"a\",\"vd\":\"-_8\"},{\"n\":\"b\",\"vd\":\"\"}]"), NOW))
                .hasSize(2);
    }

    @Test
    void resolvedNumbersMustBeFinite() {
        assertLocation(rejectJson("[{\"n\":\"a\",\"bt\":1e308,\"t\":1e308,\"v\":1}]"), 0, "t");
        assertLocation(rejectJson("[{\"n\":\"a\",\"bv\":1e308,\"v\":1e308}]"), 0, "v");
        assertLocation(rejectJson("[{\"n\":\"a\",\"bs\":-1e308,\"s\":-1e308}]"), 0, "s");
    }

    // ---- JSON syntax

    @Test
    void wrongJsonType() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":1},{\"n\":\"b\",\"v\":\"12\"}]");

        assertLocation(e, 1, "v");
        assertThat(e).hasMessage("record 1, field 'v': expected a number, got a string");
        assertLocation(rejectJson("[{\"n\":5,\"v\":1}]"), 0, "n");
        assertLocation(rejectJson("[{\"n\":\"a\",\"vb\":\"true\"}]"), 0, "vb");
        assertLocation(rejectJson("[{\"n\":\"a\",\"vb\":1}]"), 0, "vb");
        assertLocation(rejectJson("[{\"n\":\"a\",\"v\":null}]"), 0, "v");
        assertLocation(rejectJson("[{\"n\":\"a\",\"t\":[1]}]"), 0, "t");
        assertLocation(rejectJson("[{\"bver\":10.5,\"n\":\"a\",\"v\":1}]"), 0, "bver");
        assertLocation(rejectJson("[{\"bver\":\"10\",\"n\":\"a\",\"v\":1}]"), 0, "bver");
        assertLocation(rejectJson("[{\"bver\":4294967306,\"n\":\"a\",\"v\":1}]"), 0, "bver");
    }

    @Test
    void integralBverWrittenAsADecimalIsAccepted() {
        assertThat(Senml.parseJson("[{\"bver\":10.0}]").get(0).bver()).isEqualTo(10);
    }

    @Test
    void notAnArray() {
        SenmlException e = rejectJson("{\"n\":\"a\",\"v\":1}");

        assertLocation(e, -1, null);
        assertThat(e).hasMessage("pack: not a JSON array (got an object)");
        assertThat(rejectJson("")).hasMessage("pack: not a JSON array (got an empty document)");
        assertThat(rejectJson("null")).hasMessage("pack: not a JSON array (got null)");
        assertLocation(
                catchThrowableOfType(
                        SenmlException.class, () -> Senml.parseJson(JsonNodeFactory.instance.textNode("x"))),
                -1,
                null);
    }

    @Test
    void recordNotAnObject() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":1},[1]]");

        assertLocation(e, 1, null);
        assertThat(e).hasMessage("record 1: not a JSON object (got an array)");
    }

    @Test
    void invalidJson() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":1,}]");

        assertLocation(e, -1, null);
        assertThat(e).hasMessageStartingWith("pack: not valid JSON: ");
        assertLocation(rejectJson("[] []"), -1, null); // trailing content
        assertLocation(rejectJson("[{\"n\":\"a\",\"v\":1,\"v\":2}]"), -1, null); // duplicate member
        assertLocation(rejectJson("[{\"n\":\"a\",\"v\":NaN}]"), -1, null);
        assertLocation(rejectJson("[{\"n\":\"a\",\"v\":01}]"), -1, null);
        assertLocation(
                catchThrowableOfType(SenmlException.class, () -> Senml.parseJson(new byte[] {'[', (byte) 0xff, ']'})),
                -1,
                null);
    }

    @Test
    void numberOutOfRangeOfADouble() {
        assertLocation(rejectJson("[{\"n\":\"a\",\"v\":1e400}]"), 0, "v");
    }

    @Test
    void nestingDepth100() {
        String deep = "[{\"n\":\"a\",\"v\":1,\"x\":" + "[".repeat(100) + "]".repeat(100) + "}]";

        SenmlException e = rejectJson(deep);

        assertLocation(e, -1, null);
        assertThat(e).hasMessageContaining("nesting depth");
        // the 64 levels allowed are plenty for extensions
        assertThat(Senml.parseJson("[{\"n\":\"a\",\"v\":1,\"x\":" + "[".repeat(60) + "]".repeat(60) + "}]"))
                .hasSize(1);
    }

    @Test
    void tenThousandDigitNumber() {
        SenmlException e = rejectJson("[{\"n\":\"a\",\"v\":" + "9".repeat(10_000) + "}]");

        assertLocation(e, -1, null);
        assertThat(e).hasMessageContaining("Number value length");
        assertThat(e.getMessage()).hasSizeLessThan(400);
    }

    @Test
    void documentOver16MiB() {
        byte[] big = new byte[16 * 1024 * 1024 + 1];
        Arrays.fill(big, (byte) ' ');
        big[0] = '[';
        big[big.length - 1] = ']';

        SenmlException e = catchThrowableOfType(SenmlException.class, () -> Senml.parseJson(big));

        assertLocation(e, -1, null);
        assertThat(e).hasMessageContaining("too large");
        assertLocation(rejectJson(new String(big, StandardCharsets.US_ASCII)), -1, null);
    }

    @Test
    void messagesQuoteInputPrintably() {
        SenmlException e = rejectJson("[{\"n\":\"a\\u0001b\\nc\",\"v\":1}]");

        assertThat(e.getMessage()).contains("a\\u0001b\\u000Ac").doesNotContain("\n");
    }

    // ---- XML

    @Test
    void doctypeInXml() {
        SenmlException e = rejectXml("""
                <?xml version="1.0"?>
                <!DOCTYPE sensml [<!ENTITY x "boom">]>
                <sensml xmlns="urn:ietf:params:xml:ns:senml"><senml n="a" vs="&x;"/></sensml>""");

        assertLocation(e, -1, null);
        assertThat(e).hasMessage("pack: DOCTYPE declarations are not allowed");
        assertLocation(rejectXml("""
                <!DOCTYPE sensml SYSTEM "file:///etc/passwd">
                <sensml xmlns="urn:ietf:params:xml:ns:senml"/>"""), -1, null);
    }

    @Test
    void mustUnderstandAttributeInXml() {
        SenmlException e = rejectXml("<sensml xmlns='urn:ietf:params:xml:ns:senml'><senml n='a' v='1'/>"
                + "<senml n='b' v='1' foo_='x'/></sensml>");

        assertLocation(e, 1, "foo_");
    }

    @Test
    void xmlNumberBooleanAndIntegerFormats() {
        assertLocation(rejectXml(pack("<senml n='a' v='1,5'/>")), 0, "v");
        assertLocation(rejectXml(pack("<senml n='a' v='NaN'/>")), 0, "v");
        assertLocation(rejectXml(pack("<senml n='a' v='INF'/>")), 0, "v");
        assertLocation(rejectXml(pack("<senml n='a' v='0x10'/>")), 0, "v");
        assertLocation(rejectXml(pack("<senml n='a' v='1d'/>")), 0, "v");
        assertLocation(rejectXml(pack("<senml n='a' v=''/>")), 0, "v");
        assertLocation(rejectXml(pack("<senml n='a' v='1e400'/>")), 0, "v");
        assertLocation(rejectXml(pack("<senml n='a' v='" + "1".repeat(101) + "'/>")), 0, "v");
        assertLocation(rejectXml(pack("<senml n='a' vb='yes'/>")), 0, "vb");
        assertLocation(rejectXml(pack("<senml n='a' v='1'/><senml n='b' bver='5.0' v='1'/>")), 1, "bver");
        assertLocation(rejectXml(pack("<senml n='a' bver='99999999999' v='1'/>")), 0, "bver");
        assertLocation(rejectXml(pack("<senml n='a' bver='\u0665' v='1'/>")), 0, "bver"); // Arabic-Indic 5

        assertThat(Senml.parseXml(pack("<senml n='a' v='-.5E+2' vb='1' bver='+10'/>"))
                        .get(0))
                .isEqualTo(new SenmlRecord(
                        null, null, null, null, null, 10, "a", null, -50.0, null, true, null, null, null, null));
    }

    @Test
    void xmlStructure() {
        assertLocation(rejectXml("<sensml><senml n='a' v='1'/></sensml>"), -1, null); // no namespace
        assertLocation(rejectXml("<pack xmlns='urn:ietf:params:xml:ns:senml'/>"), -1, null);
        assertLocation(rejectXml(pack("<senml n='a' v='1'/><other/>")), -1, null);
        assertLocation(rejectXml(pack("<senml n='a' v='1'><x/></senml>")), 0, null);
        assertLocation(rejectXml(pack("<senml n='a' v='1'>text</senml>")), -1, null);
        assertLocation(rejectXml(pack("text")), -1, null);
        assertLocation(rejectXml(pack("<senml n='a' v='1' v='2'/>")), -1, null);
        assertLocation(rejectXml(pack("<senml n='a' v='1'/>") + "<more/>"), -1, null);
        assertLocation(rejectXml(""), -1, null);
        assertLocation(rejectXml("<sensml xmlns='urn:ietf:params:xml:ns:senml'><senml n='a' v='1'/>"), -1, null);
    }

    @Test
    void xmlAllowsCommentsAndForeignAttributes() {
        assertThat(Senml.parseXml("<?xml version='1.0' encoding='UTF-8'?><!-- c --><sensml xmlns="
                        + "'urn:ietf:params:xml:ns:senml' xmlns:x='urn:x'>\n  <!-- c --><senml n='a' v='1' x:v_='9' "
                        + "xml:lang='en' other='y'/>\n</sensml><?pi?>"))
                .containsExactly(new SenmlRecord(
                        null, null, null, null, null, null, "a", null, 1.0, null, null, null, null, null, null));
    }

    private static String pack(String records) {
        return "<sensml xmlns='urn:ietf:params:xml:ns:senml'>" + records + "</sensml>";
    }

    private static SenmlException rejectJson(String json) {
        SenmlException e = catchThrowableOfType(SenmlException.class, () -> Senml.resolve(Senml.parseJson(json), NOW));
        assertThat(e)
                .as("SenmlException for %s", json.length() > 200 ? json.substring(0, 200) : json)
                .isNotNull();
        return e;
    }

    private static SenmlException rejectXml(String xml) {
        SenmlException e = catchThrowableOfType(SenmlException.class, () -> Senml.resolve(Senml.parseXml(xml), NOW));
        assertThat(e).as("SenmlException for %s", xml).isNotNull();
        return e;
    }

    private static void assertLocation(SenmlException e, int recordIndex, String field) {
        assertThat(e).isNotNull();
        assertThat(e.recordIndex()).as("record index of: %s", e.getMessage()).isEqualTo(recordIndex);
        assertThat(e.field()).as("field of: %s", e.getMessage()).isEqualTo(field);
    }
}
