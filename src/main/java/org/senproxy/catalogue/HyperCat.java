package org.senproxy.catalogue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The catalogue as a HyperCat document (HyperCat 3.0, BSI PAS 212: a JSON catalogue of resources, each described by
 * rel/val pairs), served at {@code GET /catalogue.json} on the status server (routes/catalogue.camel.yaml):
 *
 * <pre>
 * {"catalogue-metadata": [{"rel": "urn:X-hypercat:rels:isContentType",
 *                          "val": "application/vnd.hypercat.catalogue+json"},
 *                         {"rel": "urn:X-hypercat:rels:hasDescription:en", "val": "..."}, ...],
 *  "items": [{"href": "urn:dev:prm:09111642617347_consumption/power/apparent/raw",
 *             "item-metadata": [{"rel": "urn:X-hypercat:rels:hasDescription:en", "val": "apparent power (PAPP)"},
 *                               {"rel": "urn:X-senproxy:rels:unit", "val": "VA"}, ...]}]}
 * </pre>
 *
 * An item's href is the series' identifier, the SenML name its records carry and that Quoalise's get_history and
 * subscribe take; a pattern ({@code *}) says so with {@code urn:X-senproxy:rels:isPattern}. HyperCat's own rels are
 * used where they exist (content type, description); the rest are sen-proxy's, under {@value #RELS}. Metadata that a
 * series does not declare is left out, not written empty.
 */
public final class HyperCat {

    public static final String CONTENT_TYPE = "application/vnd.hypercat.catalogue+json";
    static final String RELS = "urn:X-senproxy:rels:";
    private static final String HYPERCAT_RELS = "urn:X-hypercat:rels:";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Catalogue catalogue;
    private final String jid;

    /** @param jid this proxy's bare JID: where the series are asked for (Quoalise commands over XMPP) */
    public HyperCat(Catalogue catalogue, String jid) {
        this.catalogue = catalogue;
        this.jid = jid;
    }

    public String json() throws JsonProcessingException {
        ObjectNode document = JSON.createObjectNode();
        ArrayNode metadata = document.putArray("catalogue-metadata");
        rel(metadata, HYPERCAT_RELS + "isContentType", CONTENT_TYPE);
        rel(metadata, HYPERCAT_RELS + "hasDescription:en", "Series served by sen-proxy " + jid
                + " (Quoalise get_history and subscribe over XMPP)");
        rel(metadata, RELS + "xmppAddress", "xmpp:" + jid);
        ArrayNode items = document.putArray("items");
        for (Series s : catalogue.series()) {
            ObjectNode item = items.addObject().put("href", s.identifier());
            ArrayNode about = item.putArray("item-metadata");
            rel(about, HYPERCAT_RELS + "hasDescription:en", s.description() != null ? s.description() : s.identifier());
            rel(about, RELS + "connector", s.connector());
            rel(about, RELS + "quantity", s.quantity());
            rel(about, RELS + "unit", s.unit());
            rel(about, RELS + "aggregate", s.aggregate());
            rel(about, RELS + "samplingIntervalSeconds",
                    s.samplingSeconds() == null ? null : s.samplingSeconds().toString());
            if (s.isPattern()) {
                rel(about, RELS + "isPattern", "true");
            }
        }
        return JSON.writeValueAsString(document);
    }

    private static void rel(ArrayNode metadata, String rel, String val) {
        if (val != null) {
            metadata.addObject().put("rel", rel).put("val", val);
        }
    }
}
