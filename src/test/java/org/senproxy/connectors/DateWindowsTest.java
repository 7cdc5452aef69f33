package org.senproxy.connectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import org.junit.jupiter.api.Test;

class DateWindowsTest {

    // 2023-04-10T22:30Z is already April 11 in Paris
    private final DateWindows windows =
            new DateWindows(Clock.fixed(Instant.parse("2023-04-10T22:30:00Z"), ZoneOffset.UTC));

    @Test
    void aWindowIsAtMostMaxDaysAndEndsBeforeTodayInTheUtilitysZone() {
        assertThat(windows.next("2023-03-01", "Europe/Paris", 7))
                .isEqualTo(Map.of("start", "2023-03-01", "end", "2023-03-08"));
        assertThat(windows.next("2023-04-08", "Europe/Paris", 7))
                .isEqualTo(Map.of("start", "2023-04-08", "end", "2023-04-11"));
        assertThat(windows.next("2023-04-08", "UTC", 7)).isEqualTo(Map.of("start", "2023-04-08", "end", "2023-04-10"));
    }

    @Test
    void nothingIsDueWhenTheWatermarkIsToday() {
        assertThat(windows.next("2023-04-11", "Europe/Paris", 7)).isNull();
    }

    @Test
    void theFirstPollStartsMaxDaysAgo() {
        assertThat(windows.next("", "Europe/Paris", 7)).isEqualTo(Map.of("start", "2023-04-04", "end", "2023-04-11"));
    }

    @Test
    void aWatermarkThatIsNotADateIsAClearError() {
        assertThatThrownBy(() -> windows.next("yesterday", "Europe/Paris", 7)).hasMessageContaining("'yesterday'");
    }
}
