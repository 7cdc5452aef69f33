package org.senproxy.inbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;

/** A row stored just now hands its records to the sink from memory: the sink must see what a retry would read back. */
class SinkRecordsTest {

    private static final String PACK = "[{\"bn\":\"urn:dev:mac:0024befffe804ff1_\",\"bt\":1.700000000123456e9,"
            + "\"bu\":\"W\",\"n\":\"power\",\"v\":0.1},"
            + "{\"n\":\"power\",\"t\":0.333333,\"v\":1234.5678901234},"
            + "{\"n\":\"index\",\"u\":\"Wh\",\"t\":1,\"s\":98765.25,\"dur\":1800},"
            + "{\"n\":\"state\",\"t\":2,\"vs\":\"HP\\u00e9\"},{\"n\":\"open\",\"t\":3,\"vb\":true},"
            + "{\"n\":\"raw\",\"t\":4,\"vd\":\"AQID\"}]";

    @Test
    void recordsInMemoryGiveTheSinkTheSameMapsAsThePayloadReadBack() {
        List<Measurement> received = Senml.resolve(Senml.parseJson(PACK), 0);
        String payload = Senml.toJson(Senml.fromMeasurements(received));

        List<java.util.Map<String, Object>> fromMemory = SinkRecords.of(
                new InboxRow(1, "proxy-a@localhost", "m-1", "c-1", payload, received.size(), 0, received));
        List<java.util.Map<String, Object>> readBack =
                SinkRecords.of(new InboxRow(1, "proxy-a@localhost", "m-1", "c-1", payload, received.size(), 0));

        assertThat(fromMemory).hasSize(6).isEqualTo(readBack);
        assertThat(fromMemory.get(1).get("value")).isEqualTo(1234.5678901234);
        assertThat(fromMemory.get(2).get("duration_s")).isEqualTo(1800.0);
    }
}
