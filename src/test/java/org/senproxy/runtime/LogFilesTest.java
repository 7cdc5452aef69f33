package org.senproxy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** senproxy.log.*: a log file that rolls by size, its total bounded, and errors kept in a file of their own. */
class LogFilesTest {

    private static final Logger LOG = LoggerFactory.getLogger("org.senproxy.test.LogFilesTest");

    @TempDir
    Path folder;

    @Test
    void writingPastTheCapRemovesTheOldestFilesAndKeepsTheTotalBounded() throws Exception {
        Path file = folder.resolve("proxy.log");
        Map<String, String> settings = new HashMap<>();
        settings.put("senproxy.log.file", file.toString());
        settings.put("senproxy.log.max-size", "20KB");
        settings.put("senproxy.log.total-cap", "100KB");
        settings.put("senproxy.log.error-file", folder.resolve("errors.log").toString());
        Random random = new Random(7);
        try (LogFiles files = LogFiles.configure(new StartupSettings(folder, settings))) {
            // about 2 MB of lines that do not compress much: dozens of rollovers of 20 KB
            for (int i = 0; i < 8_000; i++) {
                LOG.info("line {} {}", i, randomText(random));
                if (i % 1000 == 0) {
                    LOG.error("error {}", i);
                }
            }
            // the oldest rolled files are removed at each rollover, on a thread of logback's own, counting the files
            // compressed by then: those still being compressed come on top (a dozen seen on a loaded CI machine).
            // Once the compressions are done (the folder stops changing), one more rollover removes what is over
            // the cap: the cap and two rolled files at most
            String[] before = {""};
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(700))
                    .until(() -> {
                        String now = listing(folder);
                        boolean stable = now.equals(before[0]);
                        before[0] = now;
                        return stable;
                    });
            for (int i = 8_000; i < 8_400; i++) {
                LOG.info("line {} {}", i, randomText(random));
            }
            await().atMost(Duration.ofSeconds(10))
                    .untilAsserted(() -> assertThat(archivedSize(folder, "proxy.log."))
                            .as(listing(folder))
                            .isLessThanOrEqualTo((100 + 2 * 20) * 1024));
            List<String> archives = names(folder, "proxy.log.");
            assertThat(archives).hasSizeGreaterThan(2).noneMatch(name -> name.endsWith(".0.gz"));
            assertThat(Files.size(file)).isLessThan(30 * 1024);
            assertThat(Files.readString(file)).contains("line 8399");
            // the error file has every error line and nothing else
            List<String> errors = Files.readAllLines(folder.resolve("errors.log"));
            assertThat(errors)
                    .hasSize(8)
                    .allMatch(line -> line.contains(" ERROR ") && line.matches("\\d{4}-\\d{2}-\\d{2} .*"));
        }
    }

    @Test
    void withoutAFileNothingChanges() {
        try (LogFiles files = LogFiles.configure(new StartupSettings(folder, Map.of()))) {
            LOG.info("to standard output only");
        }
        assertThat(folder).isEmptyDirectory();
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            text.append((char) ('!' + random.nextInt(90)));
        }
        return text.toString();
    }

    private static String listing(Path folder) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String name : names(folder, "")) {
            text.append(name)
                    .append(' ')
                    .append(Files.size(folder.resolve(name)))
                    .append('\n');
        }
        return text.toString();
    }

    private static long archivedSize(Path folder, String prefix) throws IOException {
        long total = 0;
        for (String name : names(folder, prefix)) {
            total += Files.size(folder.resolve(name));
        }
        return total;
    }

    private static List<String> names(Path folder, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(prefix))
                    .sorted()
                    .toList();
        }
    }
}
