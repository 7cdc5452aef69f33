package org.senproxy.observe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.camel.Exchange;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.catalogue.Series;

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
 *
 * <p>Over HTTP it takes the status page's tokens ({@link StatusAccess}): the read token or the admin one, or none when
 * neither is configured. Identifiers name meters (a PRM is personal data), so the catalogue is no more open than
 * {@code /status.json}.
 */
public final class HyperCat {

    public static final String CONTENT_TYPE = "application/vnd.hypercat.catalogue+json";
    static final String RELS = "urn:X-senproxy:rels:";
    private static final String HYPERCAT_RELS = "urn:X-hypercat:rels:";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Catalogue catalogue;
    private final String jid;
    private final StatusAccess access;

    /**
     * @param jid    this proxy's bare JID: where the series are asked for (Quoalise commands over XMPP)
     * @param access who may read it over HTTP
     */
    public HyperCat(Catalogue catalogue, String jid, StatusAccess access) {
        this.catalogue = catalogue;
        this.jid = jid;
        this.access = access;
    }

    /** The document, for an HTTP request (routes/catalogue.camel.yaml): 401 without the read or admin token. */
    public String serve(Exchange exchange) throws JsonProcessingException {
        String authorization = exchange.getMessage() instanceof HttpMessage http
                ? http.getRequest().getHeader("Authorization")
                : null;
        if (access.role(authorization) == StatusAccess.Role.NONE) {
            exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, 401);
            exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer realm=\"sen-proxy\"");
            return JSON.createObjectNode()
                    .put("ok", false)
                    .put(
                            "message",
                            "a token is needed: send Authorization:"
                                    + " Bearer <token>, the read token (senproxy.admin.read-token) or the admin token"
                                    + " (senproxy.admin.token)")
                    .toString();
        }
        return json();
    }

    /** The document. */
    public String json() throws JsonProcessingException {
        ObjectNode document = JSON.createObjectNode();
        ArrayNode metadata = document.putArray("catalogue-metadata");
        rel(metadata, HYPERCAT_RELS + "isContentType", CONTENT_TYPE);
        rel(
                metadata,
                HYPERCAT_RELS + "hasDescription:en",
                "Series served by sen-proxy " + jid + " (Quoalise get_history and subscribe over XMPP)");
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
            rel(
                    about,
                    RELS + "samplingIntervalSeconds",
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
