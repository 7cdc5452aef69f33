package org.senproxy.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlRecord;

/** The proxy's SenML base name is a valid SenML name whatever its JID holds. */
class MonitoringTest {

    @Test
    void theBaseNameIsTheJidInSenmlNameCharacters() {
        assertThat(new Monitoring("proxy-a@example.org", null).baseName())
                .isEqualTo("urn:dev:senproxy:proxy-a:example.org_");
        String odd = new Monitoring("city_monitor+1@xmpp.example.org", "monitor@example.org").baseName();
        assertThat(odd).isEqualTo("urn:dev:senproxy:city-monitor-1:xmpp.example.org_");
        assertThat(Senml.resolve(List.of(SenmlRecord.of(odd + "uptime", "s", 1e9, 1)), 0))
                .hasSize(1);
        assertThat(Monitoring.namePart("my source#2")).isEqualTo("my-source-2");
    }

    @Test
    void withoutAMonitoringJidNothingIsSent() {
        assertThat(new Monitoring("proxy-a@example.org", " ").enabled()).isFalse();
        assertThat(new Monitoring("proxy-a@example.org", "monitor@example.org").enabled())
                .isTrue();
    }
}
