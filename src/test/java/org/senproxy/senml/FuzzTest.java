package org.senproxy.senml;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import org.junit.jupiter.api.Test;

/**
 * Random damage to valid packs must only ever produce a {@link SenmlException}: never a NullPointerException,
 * NumberFormatException, IllegalArgumentException, nor a Jackson or StAX exception leaking out. Whatever is accepted
 * must also survive being written and read again.
 */
class FuzzTest {

    private static final long SEED = 8428;
    private static final int MUTATIONS = 5_000;
    private static final double NOW = 1_700_000_000;

    /** Characters that matter to JSON, XML, SenML names, numbers and base64url, plus some odd ones. */
    private static final String ALPHABET =
            "{}[]\":,.-+eE0123456789 \t\n\\/_abnstuvdA<>=&;'!?#x\u0000\u0001\u00e9" + "\uD83D\uDE00\uD800\uFFFF";

    private static final List<String> JSON_SEEDS =
            List.of(RfcExamplesTest.RFC_5_1_2_SECOND, RfcExamplesTest.RFC_5_1_3, """
            [{"bn":"urn:dev:ow:10e2073a01080063:","bt":1.7e9,"bu":"W","bv":1,"bs":10,"bver":10,
              "n":"temp","u":"Cel","v":23.1,"s":5,"ut":60},
             {"n":"label","vs":"Machine Room","t":-1},
             {"n":"open","vb":false,"x":{"y":[1,2]}},
             {"n":"nfv-reader","vd":"aGkgCg","t":268435455},
             {"n":"sum","s":3600}]""");

    private static final List<String> XML_SEEDS = JSON_SEEDS.stream()
            .map(json -> Senml.toXml(Senml.parseJson(json)))
            .map(xml -> "<?xml version=\"1.0\"?>\n<!-- pack -->\n" + xml.replace("/><", "/>\n  <"))
            .toList();

    @Test
    void damagedJsonOnlyEverFailsWithSenmlException() {
        Outcome outcome = fuzz(
                JSON_SEEDS,
                json -> Senml.resolve(Senml.parseJson(json), NOW),
                bytes -> Senml.resolve(Senml.parseJson(bytes), NOW),
                new Random(SEED));

        // a meaningful mix: some mutations survive, most are rejected
        assertThat(outcome.accepted).isGreaterThan(MUTATIONS / 50);
        assertThat(outcome.rejected).isGreaterThan(MUTATIONS / 2);
    }

    @Test
    void damagedXmlOnlyEverFailsWithSenmlException() {
        Outcome outcome = fuzz(
                XML_SEEDS,
                xml -> Senml.resolve(Senml.parseXml(xml), NOW),
                bytes -> Senml.resolve(Senml.parseXml(new String(bytes, StandardCharsets.ISO_8859_1)), NOW),
                new Random(SEED + 1));

        assertThat(outcome.accepted).isGreaterThan(MUTATIONS / 50);
        assertThat(outcome.rejected).isGreaterThan(MUTATIONS / 2);
    }

    @Test
    void acceptedDamagedJsonSurvivesARoundTrip() {
        Random random = new Random(SEED + 2);
        for (int i = 0; i < MUTATIONS; i++) {
            String input = mutate(JSON_SEEDS.get(random.nextInt(JSON_SEEDS.size())), random);
            List<SenmlRecord> records;
            try {
                records = Senml.parseJson(input);
            } catch (SenmlException expected) {
                continue;
            }
            assertThat(Senml.parseJson(Senml.toJson(records)))
                    .as("JSON round trip of %s", input)
                    .isEqualTo(records);
            String xml;
            try {
                xml = Senml.toXml(records);
            } catch (SenmlException unwritable) { // control characters in a string
                continue;
            }
            assertThat(Senml.parseXml(xml)).as("XML round trip of %s", input).isEqualTo(records);
        }
    }

    private record Outcome(int accepted, int rejected) {}

    private static Outcome fuzz(
            List<String> seeds,
            Function<String, List<Measurement>> parseText,
            Function<byte[], List<Measurement>> parseBytes,
            Random random) {
        int accepted = 0;
        int rejected = 0;
        for (int i = 0; i < MUTATIONS; i++) {
            String seed = seeds.get(random.nextInt(seeds.size()));
            boolean asBytes = random.nextInt(10) == 0;
            String input = asBytes ? null : mutate(seed, random);
            byte[] bytes = asBytes ? randomBytes(seed, random) : null;
            try {
                List<Measurement> result = asBytes ? parseBytes.apply(bytes) : parseText.apply(input);
                assertThat(result).isNotNull();
                accepted++;
            } catch (SenmlException e) {
                assertThat(e.recordIndex()).isGreaterThanOrEqualTo(-1);
                assertThat(e.getMessage())
                        .startsWith(e.recordIndex() < 0 ? "pack" : "record " + e.recordIndex())
                        .doesNotContainPattern("[\\x00-\\x1f]");
                rejected++;
            } catch (Throwable other) {
                fail(
                        "mutation " + i + " threw " + other + " for input: "
                                + (asBytes ? new String(bytes, StandardCharsets.ISO_8859_1) : input),
                        other);
            }
        }
        return new Outcome(accepted, rejected);
    }

    /** One to three random edits: truncate, replace, insert, delete or duplicate characters. */
    static String mutate(String text, Random random) {
        StringBuilder s = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && s.length() > 0; e++) {
            int at = random.nextInt(s.length());
            switch (random.nextInt(5)) {
                case 0 -> s.setLength(at);
                case 1 -> s.setCharAt(at, randomChar(random));
                case 2 -> s.insert(at, randomChar(random));
                case 3 -> s.deleteCharAt(at);
                default -> {
                    int end = Math.min(s.length(), at + 1 + random.nextInt(20));
                    s.insert(at, s.substring(at, end));
                }
            }
        }
        return s.toString();
    }

    /** The seed's bytes with random bytes written over a few places, or entirely random bytes. */
    private static byte[] randomBytes(String seed, Random random) {
        byte[] bytes = random.nextBoolean() ? seed.getBytes(StandardCharsets.UTF_8) : new byte[random.nextInt(64)];
        if (bytes.length == 0) {
            return bytes;
        }
        int edits = bytes.length < 64 ? bytes.length : 1 + random.nextInt(4);
        for (int e = 0; e < edits; e++) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static char randomChar(Random random) {
        return random.nextInt(8) == 0
                ? (char) random.nextInt(0x10000)
                : ALPHABET.charAt(random.nextInt(ALPHABET.length()));
    }
}
