package org.senproxy.transform;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jq functions localtime(zone) and daylength(zone), through camel-jq as a transform uses them, across clock changes. */
class LocalTimeFunctionTest {

    @TempDir
    static Path home;

    private static Transforms transforms;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(home.resolve("transforms"));
        Files.writeString(home.resolve("transforms").resolve("paris.jq"), "map(localtime(\"Europe/Paris\"))");
        Files.writeString(home.resolve("transforms").resolve("days.jq"), "map(daylength(\"Europe/Paris\"))");
        transforms = new Transforms(home);
    }

    @AfterAll
    static void stop() {
        transforms.close();
    }

    private String run(String input) {
        return transforms.run("paris", input, Map.of()).replace(" ", "");
    }

    @Test
    void readsLocalTimesOnBothSidesOfTheSpringChange() {
        // 2023-03-26: 01:59 is UTC+1, 03:00 is UTC+2
        assertThat(run("[\"2023-03-26 01:30:00\", \"2023-03-26T03:30:00\"]")).isEqualTo("[1679790600,1679794200]");
    }

    @Test
    void aDateAloneIsItsMidnight() {
        assertThat(run("[\"2023-04-01\"]")).isEqualTo("[1680300000]");
    }

    @Test
    void theRepeatedAutumnHourTakesTheEarlierOffset() {
        // 2023-10-29 02:30 happens twice; the first is 00:30Z
        assertThat(run("[\"2023-10-29 02:30:00\"]")).isEqualTo("[1698539400]");
    }

    @Test
    void aDateTimeWithItsOwnOffsetIsReadAsItSays() {
        assertThat(run("[\"2022-01-05T00:30:00.000+01:00\", \"2022-01-04T23:30:00Z\"]"))
                .isEqualTo("[1641339000,1641339000]");
    }

    @Test
    void garbageIsAClearError() {
        assertThatThrownBy(() -> run("[\"tomorrow\"]")).hasMessageContaining("localtime: cannot read 'tomorrow'");
    }

    @Test
    void aDayLastsTwentyFourHoursExceptWhenTheClocksChange() {
        assertThat(transforms
                        .run("days", "[\"2023-04-01\", \"2023-03-26\", \"2023-10-29\"]", Map.of())
                        .replace(" ", ""))
                .isEqualTo("[86400,82800,90000]");
    }

    @Test
    void theDayOfADateTimeIsItsLocalDayInTheZone() {
        // 23:30Z on 25 March is already 26 March (the short day) in Paris
        assertThat(transforms
                        .run("days", "[\"2023-03-25T23:30:00Z\", \"2022-01-05T00:00:00.000+01:00\"]", Map.of())
                        .replace(" ", ""))
                .isEqualTo("[82800,86400]");
    }

    @Test
    void aDayLengthOfSomethingElseThanADateIsAClearError() {
        assertThatThrownBy(() -> transforms.run("days", "[\"next tuesday\"]", Map.of()))
                .hasMessageContaining("daylength: cannot read 'next tuesday'");
    }
}
