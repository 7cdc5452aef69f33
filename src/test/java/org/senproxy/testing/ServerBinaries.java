package org.senproxy.testing;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Assumptions;

/**
 * Servers that tests run as processes of their own come from Debian packages (mosquitto, influxdb). On a developer's
 * machine without the package, the tests that need it are skipped with a message saying what to install, so that
 * `mvn verify` works with Java and Maven alone. Under CI (CI=true), where .ci/run installs them, a missing binary
 * fails the test instead: a broken install step must not turn into silently skipped tests.
 */
public final class ServerBinaries {

    private ServerBinaries() {}

    public static Path require(String path, String debianPackage) {
        Path binary = Path.of(path);
        if (Files.isExecutable(binary)) {
            return binary;
        }
        String message = binary + " is missing: apt-get install -y " + debianPackage;
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new IllegalStateException(message + " (.ci/run installs it)");
        }
        Assumptions.abort(message + " to run this test");
        return binary;
    }
}
