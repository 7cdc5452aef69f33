package org.senproxy.senml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.api.Assertions.fail;

import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** SenML CBOR (RFC 8428 section 6): integer labels, vd as a byte string, the same checks as JSON. */
class CborTest {

    private static final HexFormat HEX = HexFormat.of();

    /**
     * Written by hand from RFC 8949 and RFC 8428 table 4, not by Jackson: [{-2: "urn:dev:ow:1:", 0: "temp",
     * 1: "Cel", 2: 23.5 (a half-precision float), 6: 1700000000}, {0: "raw", 8: h'010203', 6: 1700000000}].
     */
    private static final String HAND_WRITTEN = "82"
            + "a5" + "21" + "6d" + HEX.formatHex("urn:dev:ow:1:".getBytes()) + "00" + "64"
            + HEX.formatHex("temp".getBytes())
            + "01" + "63" + HEX.formatHex("Cel".getBytes()) + "02" + "f94de0" + "06" + "1a6553f100"
            + "a3" + "00" + "63" + HEX.formatHex("raw".getBytes()) + "08" + "43010203" + "06" + "1a6553f100";

    @Test
    void readsAPackEncodedByHand() {
        List<Measurement> resolved = Senml.resolve(Senml.parseCbor(HEX.parseHex(HAND_WRITTEN)), 0);

        assertThat(resolved).hasSize(2);
        assertThat(resolved.get(0))
                .isEqualTo(
                        new Measurement("urn:dev:ow:1:temp", "Cel", 1_700_000_000, 23.5, null, null, null, null, null));
        assertThat(resolved.get(1).name()).isEqualTo("urn:dev:ow:1:raw");
        assertThat(resolved.get(1).dataValue())
                .as("the byte string as base64url")
                .isEqualTo("AQID");
    }

    @Test
    void writesIntegerLabelsIntegersAndByteStrings() {
        byte[] cbor = Senml.toCbor(Senml.parseCbor(HEX.parseHex(HAND_WRITTEN)));

        // same pack, except 23.5 written as a double (fb) where the hand-written one used a half float (f9)
        assertThat(HEX.formatHex(cbor)).isEqualTo(HAND_WRITTEN.replace("f94de0", "fb4037800000000000"));
    }

    @Test
    void everyFieldSurvivesARoundTrip() {
        assertThat(Senml.parseCbor(Senml.toCbor(RoundTripTest.ALL_FIELDS))).isEqualTo(RoundTripTest.ALL_FIELDS);
    }

    @Test
    void cborIsSmallerThanJson() {
        assertThat(Senml.toCbor(RoundTripTest.ALL_FIELDS).length)
                .isLessThan(Senml.toJson(RoundTripTest.ALL_FIELDS).getBytes().length);
    }

    @Test
    void refusesWhatJsonRefusesWithTheSameMessage() {
        // record 1 has two value fields: {0: "b", 2: 1, 3: "x"}
        byte[] cbor = HEX.parseHex("82" + "a2006161" + "0201" + "a300616202010361" + "78");
        SenmlException e = catchThrowableOfType(SenmlException.class, () -> Senml.resolve(Senml.parseCbor(cbor), 0));

        assertThat(e).hasMessage("record 1, field 'v': two value fields (v and vs); a record has exactly one");
    }

    @Test
    void refusesADataValueThatIsNotAByteString() {
        byte[] cbor = HEX.parseHex("81" + "a2006161" + "08" + "64" + HEX.formatHex("AQID".getBytes()));

        SenmlException e = catchThrowableOfType(SenmlException.class, () -> Senml.parseCbor(cbor));
        assertThat(e.recordIndex()).isZero();
        assertThat(e.field()).isEqualTo("vd");
    }

    @Test
    void refusesATextLabelForAFieldThatHasAnIntegerOne() {
        // {"n": "a", "v": 1}
        byte[] cbor = HEX.parseHex("81" + "a2" + "616e" + "6161" + "6176" + "01");
        SenmlException e = catchThrowableOfType(SenmlException.class, () -> Senml.parseCbor(cbor));
        assertThat(e).hasMessageContaining("record 0, field 'n'").hasMessageContaining("integer label in CBOR (0)");
    }

    @Test
    void ignoresUnknownLabelsUnlessTheyMustBeUnderstood() {
        // {0: "a", 2: 1, 99: true, "x": 5}
        byte[] ignorable = HEX.parseHex("81" + "a4" + "006161" + "0201" + "1863f5" + "617805");
        assertThat(Senml.parseCbor(ignorable)).hasSize(1);

        // {0: "a", 2: 1, "x_": 5}
        byte[] mustUnderstand = HEX.parseHex("81" + "a3" + "006161" + "0201" + "6278" + "5f" + "05");
        assertThat(catchThrowableOfType(SenmlException.class, () -> Senml.parseCbor(mustUnderstand))
                        .field())
                .isEqualTo("x_");
    }

    @Test
    void notCborAndNotAnArrayAreClearErrors() {
        assertThat(catchThrowableOfType(SenmlException.class, () -> Senml.parseCbor(new byte[0])))
                .hasMessageStartingWith("pack: not valid CBOR");
        assertThat(catchThrowableOfType(SenmlException.class, () -> Senml.parseCbor(HEX.parseHex("a0"))))
                .hasMessageContaining("not a JSON array (got an object)");
        assertThat(catchThrowableOfType(SenmlException.class, () -> Senml.parseCbor(HEX.parseHex("9f0102"))))
                .hasMessageStartingWith("pack: not valid CBOR");
    }

    @Test
    void damagedCborOnlyEverFailsWithSenmlException() {
        byte[] seed = Senml.toCbor(RoundTripTest.ALL_FIELDS);
        Random random = new Random(8949);
        int accepted = 0;
        for (int i = 0; i < 5_000; i++) {
            byte[] input = damage(seed, random);
            try {
                Senml.resolve(Senml.parseCbor(input), 1_700_000_000);
                accepted++;
            } catch (SenmlException expected) {
                assertThat(expected.getMessage()).doesNotContainPattern("[\\x00-\\x1f]");
            } catch (Throwable other) {
                fail("damage " + i + " threw " + other + " for " + HEX.formatHex(input), other);
            }
        }
        assertThat(accepted).as("some damage leaves a valid pack").isPositive();
    }

    /** Truncated, or with one to three bytes overwritten. */
    private static byte[] damage(byte[] seed, Random random) {
        if (random.nextInt(4) == 0) {
            return java.util.Arrays.copyOf(seed, random.nextInt(seed.length));
        }
        byte[] bytes = seed.clone();
        for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }
}
