package org.senproxy.transform;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.senproxy.senml.Senml;

/**
 * Golden tests of every transform in transforms/: for each case folder
 * {@code src/test/resources/transforms/<transform>/<case>/}, {@code input.*} through the transform (with the
 * headers of {@code headers.properties}) gives {@code expected.json}, and that is valid SenML.
 * Every transform must have at least one case.
 */
class TransformGoldenTest {

    private static final Path CASES = Path.of("src", "test", "resources", "transforms");
    private static Transforms transforms;

    @BeforeAll
    static void start() {
        transforms = new Transforms(Path.of("."));
    }

    @AfterAll
    static void stop() {
        transforms.close();
    }

    @Test
    void everyTransformHasAGoldenCase() throws IOException {
        assertThat(transforms.names()).isNotEmpty();
        for (String name : transforms.names()) {
            assertThat(CASES.resolve(name))
                    .as("golden cases of transform " + name)
                    .isDirectoryContaining(Files::isDirectory);
        }
    }

    @TestFactory
    Stream<DynamicTest> eachCaseGivesItsExpectedSenml() throws IOException {
        List<Path> cases;
        try (Stream<Path> folders = Files.walk(CASES, 2)) {
            cases = folders.filter(p -> CASES.relativize(p).getNameCount() == 2 && Files.isDirectory(p))
                    .sorted()
                    .toList();
        }
        return cases.stream()
                .map(folder -> DynamicTest.dynamicTest(CASES.relativize(folder).toString(), () -> {
                    String transform = folder.getParent().getFileName().toString();
                    String output = transforms.run(transform, Files.readString(input(folder)), headers(folder));
                    // compared as SenML records: 1268 and 1268.0 are the same value
                    assertThat(Senml.parseJson(output))
                            .isEqualTo(Senml.parseJson(Files.readString(folder.resolve("expected.json"))));
                    assertThat(Senml.resolve(Senml.parseJson(output), 1_700_000_000))
                            .isNotEmpty();
                }));
    }

    private static Path input(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(p -> p.getFileName().toString().startsWith("input."))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("no input.* in " + folder));
        }
    }

    private static Map<String, String> headers(Path folder) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        Path file = folder.resolve("headers.properties");
        if (Files.isRegularFile(file)) {
            Properties properties = new Properties();
            try (Reader in = Files.newBufferedReader(file)) {
                properties.load(in);
            }
            properties.stringPropertyNames().forEach(k -> headers.put(k, properties.getProperty(k)));
        }
        return headers;
    }
}
