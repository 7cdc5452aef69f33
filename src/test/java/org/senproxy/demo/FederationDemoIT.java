package org.senproxy.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/**
 * The quick start's demo as a newcomer sees it: quiet (no Camel or library INFO line, no stack trace, from the start
 * to a normal shutdown), where the status pages are, hundreds of records a second from two meters over MQTT and HTTP,
 * and a summary that says nothing was lost.
 */
class FederationDemoIT {

    @Test
    void aQuietShowcaseThatLosesNothing() throws Exception {
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream console = System.out;
        PrintStream both = new PrintStream(new Tee(console, captured), true, StandardCharsets.UTF_8);
        FederationDemo.Summary summary;
        System.setOut(both);
        try {
            summary = new FederationDemo(both, false).run(10, 100, 200);
        } finally {
            System.setOut(console);
        }
        String output = captured.toString(StandardCharsets.UTF_8);

        assertThat(output).doesNotContain("Exception").doesNotContainPattern("\\sat [a-z]+\\.[a-z]+\\.");
        assertThat(output.lines().filter(line -> line.contains(" INFO ")))
                .as("INFO lines other than the proxies' own start-up summary")
                .allMatch(line -> line.matches(".* o\\.s(enproxy)?\\.runtime\\.\\w+ - .*"));
        assertThat(output)
                .containsPattern("Proxy A \\(sends\\): +http://127\\.0\\.0\\.1:\\d+/status +read token: \\w+")
                .containsPattern("Proxy B \\(receives\\): +http://127\\.0\\.0\\.1:\\d+/status +read token: \\w+")
                .contains("Lost: 0. Dead letters: 0.");
        // 100 teleinfo frames of 4 records a second and 5 Eco-devices polls of 5 for 10 s: hundreds a second
        assertThat(summary.read()).isGreaterThan(2_000);
        assertThat(summary.stored()).isEqualTo(summary.read());
        assertThat(summary.acknowledged()).isEqualTo(summary.read());
        assertThat(summary.signatures())
                .isGreaterThanOrEqualTo(summary.messages())
                .isPositive();
        assertThat(summary.deadLetters()).isZero();
    }

    /** Writes to the console and to the capture. */
    private static final class Tee extends OutputStream {

        private final OutputStream one;
        private final OutputStream two;

        Tee(OutputStream one, OutputStream two) {
            this.one = one;
            this.two = two;
        }

        @Override
        public void write(int b) throws IOException {
            one.write(b);
            two.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            one.write(b, off, len);
            two.write(b, off, len);
        }
    }
}
