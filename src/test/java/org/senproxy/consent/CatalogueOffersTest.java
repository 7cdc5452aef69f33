package org.senproxy.consent;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.senproxy.db.Transactions;
import org.senproxy.federation.ControlMessages;
import org.senproxy.federation.ControlPeer;

/**
 * Catalogue changes between two enrolled proxies, the control stanzas written and read by the real codec: the
 * enrollment's answer gives B A's offer; a series A starts declaring is pushed to B once (by one replica), with the
 * series B's consent covers marked; B lists what A offers with what it may receive; bad or stale changes are refused
 * or not applied.
 */
class CatalogueOffersTest {

    private static final String A = "holder-a@example.org";
    private static final String B = "monitor-b@example.org";
    private static final String FIRST = "urn:dev:prm:1_power";
    private static final String METER = ConsentRequestsTest.METER;

    private final List<String> catalogueOfA = new ArrayList<>(List.of(FIRST));
    private ControlPeer a;
    private ControlPeer b;
    private CatalogueOffers offersOfA;

    @BeforeEach
    void twoEnrolledProxies() throws Exception {
        a = new ControlPeer("catalogue_a", A, ControlPeer.generate("a-1"), 10)
                .handling(p -> new ConsentRequests(p.control, p.dataSource, p.audit))
                .handling(p -> new CatalogueOffers(p.control, p.dataSource, p.audit, () -> catalogueOfA));
        b = new ControlPeer("catalogue_b", B, ControlPeer.generate("b-1"), 10)
                .handling(p -> new ConsentRequests(p.control, p.dataSource, p.audit))
                .handling(p -> new CatalogueOffers(p.control, p.dataSource, p.audit, List::of));
        offersOfA = new CatalogueOffers(a.control, a.dataSource, a.audit, () -> catalogueOfA);
        b.join(a.invite("city-monitor", Duration.ofHours(1), "alice").invitation(), "data-holder", "bob");
        assertThat(b.deliverTo(a)).allMatch(ControlMessages.Answer::accepted);
        assertThat(a.deliverTo(b)).allMatch(ControlMessages.Answer::accepted);
    }

    /** B asks for METER* (as ConsentRequestsTest does), A approves: the consent ref. */
    private String consentForTheMeter() throws Exception {
        String ref = ConsentRequestsTest.ask(new ConsentRequests(b.control, b.dataSource, b.audit));
        b.deliverTo(a);
        String consent = new ConsentRequests(a.control, a.dataSource, a.audit)
                .approve(ref, "alice", ControlPeer.generate("owner"));
        assertThat(a.deliverTo(b)).containsExactly(new ControlMessages.Answer(true, null));
        return consent;
    }

    @Test
    void aNewSeriesIsPushedOnceWithWhatTheConsentCoversAndListedOnBothSides() throws Exception {
        // the enrollment's answer told B the offer: nothing to push while it stays the same
        CatalogueOffers.Offers onB = CatalogueOffers.of(b.dataSource, "data-holder");
        assertThat(onB.received().version()).isZero();
        assertThat(onB.received().entries()).containsExactly(new CatalogueOffers.Entry(FIRST, List.of()));
        assertThat(offersOfA.push()).isZero();

        String consent = consentForTheMeter();
        // A's connectors start declaring two series: one the consent covers, one it does not
        catalogueOfA.add(METER + "power");
        catalogueOfA.add("zabbix:host1.cpu");
        CatalogueOffers replica = new CatalogueOffers(a.control, a.dataSource, a.audit, () -> catalogueOfA);
        assertThat(offersOfA.push()).isEqualTo(1);
        assertThat(replica.push()).as("the other replica finds B told already").isZero();
        assertThat(a.deliverTo(b)).containsExactly(new ControlMessages.Answer(true, null));

        onB = CatalogueOffers.of(b.dataSource, "data-holder");
        assertThat(onB.received().version()).isEqualTo(1);
        assertThat(onB.received().covered()).containsExactly(METER + "power");
        assertThat(onB.received().entries())
                .containsExactly( // sorted
                        new CatalogueOffers.Entry(METER + "power", List.of(consent)),
                        new CatalogueOffers.Entry(FIRST, List.of()),
                        new CatalogueOffers.Entry("zabbix:host1.cpu", List.of()));
        CatalogueOffers.Offers onA = CatalogueOffers.of(a.dataSource, "city-monitor");
        assertThat(onA.offered().version()).isEqualTo(1);
        assertThat(onA.offered().entries())
                .extracting(CatalogueOffers.Entry::grants)
                .containsExactly(List.of(consent), List.of(), List.of());
        assertThat(ControlPeer.text(b.url, "SELECT detail FROM audit_log WHERE kind = 'catalogue.received'"))
                .contains("\"added\":[\"" + METER + "power\",\"zabbix:host1.cpu\"]");
        assertThat(ControlPeer.text(a.url, "SELECT count(*) FROM audit_log WHERE kind = 'catalogue.offered'"))
                .isEqualTo("1");

        // a series removed is told too
        catalogueOfA.remove("zabbix:host1.cpu");
        assertThat(offersOfA.push()).isEqualTo(1);
        assertThat(a.deliverTo(b)).containsExactly(new ControlMessages.Answer(true, null));
        assertThat(CatalogueOffers.of(b.dataSource, "data-holder").received().entries())
                .extracting(CatalogueOffers.Entry::identifier)
                .containsExactly(METER + "power", FIRST);
        assertThat(CatalogueOffers.of(b.dataSource, "nobody")).isNull();
    }

    /** A catalogue change with this body, queued by A as its push would, handed to B. */
    private ControlMessages.Answer change(Map<String, Object> body) throws Exception {
        Transactions.inTransaction(a.dataSource, c -> {
            ControlMessages.queue(c, B, CatalogueOffers.CATALOGUE_CHANGE, "test", body);
            return null;
        });
        List<ControlMessages.Answer> answers = a.deliverTo(b);
        assertThat(answers).hasSize(1);
        return answers.get(0);
    }

    private static Map<String, Object> body(Object version, List<String> series, List<String> covered) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", version);
        body.put("series", series);
        body.put("added", List.of());
        body.put("removed", List.of());
        body.put("covered", covered);
        return body;
    }

    @Test
    void badChangesAreRefusedWithTheirReasonAndAStaleOneIsNotApplied() throws Exception {
        assertThat(change(body(0, List.of(FIRST), List.of())).reason()).contains("no valid version");
        assertThat(change(body(1.5, List.of(FIRST), List.of())).reason()).contains("no valid version");
        assertThat(change(body(1, List.of(FIRST), List.of("urn:dev:other"))).reason())
                .contains("covers series it does not offer");
        assertThat(change(body(1, List.of(FIRST, ""), List.of())).reason()).contains("not a series identifier");
        assertThat(CatalogueOffers.of(b.dataSource, "data-holder").received().version())
                .isZero();
        assertThat(ControlPeer.text(b.url, "SELECT count(*) FROM audit_log WHERE kind = 'catalogue.refused'"))
                .isEqualTo("4");

        assertThat(change(body(3, List.of(FIRST, "x:3"), List.of())).accepted()).isTrue();
        assertThat(change(body(2, List.of(FIRST, "x:2"), List.of())).accepted())
                .as("an older change arriving late is acknowledged (not sent again) but not applied")
                .isTrue();
        CatalogueOffers.Half received =
                CatalogueOffers.of(b.dataSource, "data-holder").received();
        assertThat(received.version()).isEqualTo(3);
        assertThat(received.entries())
                .extracting(CatalogueOffers.Entry::identifier)
                .containsExactly(FIRST, "x:3");
        assertThat(ControlPeer.text(
                        b.url, "SELECT detail FROM audit_log WHERE kind = 'catalogue.received' ORDER BY seq DESC"))
                .contains("a later version is held here already");
    }
}
