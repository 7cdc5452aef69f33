package org.senproxy.quoalise;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.iqrequest.AbstractIqRequestHandler;
import org.jivesoftware.smack.iqrequest.IQRequestHandler;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.IQ;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StanzaError;
import org.jivesoftware.smackx.commands.AdHocCommand;
import org.jivesoftware.smackx.commands.AdHocCommandManager;
import org.jivesoftware.smackx.commands.packet.AdHocCommandData;
import org.jivesoftware.smackx.disco.AbstractNodeInformationProvider;
import org.jivesoftware.smackx.disco.ServiceDiscoveryManager;
import org.jivesoftware.smackx.disco.packet.DiscoverInfo;
import org.jivesoftware.smackx.disco.packet.DiscoverItems;
import org.jivesoftware.smackx.xdata.FormField;
import org.jivesoftware.smackx.xdata.packet.DataForm;
import org.jxmpp.jid.Jid;
import org.senproxy.catalogue.Catalogue;
import org.senproxy.catalogue.Series;
import org.senproxy.federation.XmlExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Quoalise protocol on the proxy's XMPP session: XEP-0050 ad-hoc commands {@code get_history},
 * {@code subscribe} and {@code unsubscribe}, listed by service discovery (XEP-0030) under the commands node, and the
 * catalogue of series: disco#items on node {@value #CATALOGUE} lists them (node = identifier), disco#info on a series'
 * node describes it. The meta element of an answer comes from the catalogue.
 *
 * <p>A client may submit the data form at once (the Quoalise client does) or execute the command bare first: it then
 * gets the form to fill ({@code status="executing"}). An answer too large for one stanza
 * ({@code senproxy.quoalise.max-stanza-chars}) is cut: the command's result holds the first part, and the rest follow
 * at once as messages to the requester's full JID, each with one data element; a note in the result says how many.
 *
 * <p>Errors: {@code forbidden} (get_history or subscribe, at any stage, from an app this proxy's operator suspended:
 * the text gives the reason), {@code not-authorized} (unknown app, no consent covering the series, whether it exists or not),
 * {@code bad-request} (malformed identifier or dates, unknown command), {@code item-not-found} (a series in the
 * requester's scope that does not exist here, or no such subscription), each with a text.
 * This replaces Smack's own ad-hoc command handler on the session, whose first stage does not see a submitted form.
 */
public class QuoaliseCommands {

    public static final String COMMANDS = "http://jabber.org/protocol/commands";
    public static final String FEATURE = "urn:quoalise:0";

    private static final Logger LOG = LoggerFactory.getLogger(QuoaliseCommands.class);

    /** The disco node whose items are the catalogue's series; each series' own node (its identifier) has its info. */
    public static final String CATALOGUE = "urn:quoalise:0:catalogue";

    private final QuoaliseService service;
    private final Catalogue catalogue;
    private final int maxStanzaChars;

    public QuoaliseCommands(QuoaliseService service, Catalogue catalogue, int maxStanzaChars) {
        this.service = service;
        this.catalogue = catalogue;
        this.maxStanzaChars = maxStanzaChars;
    }

    /** Serves the commands on a connection (called when the proxy's session is created). */
    public void register(XMPPConnection connection) {
        // Smack's manager registers its own handler when the connection is created: made first, then replaced here
        AdHocCommandManager.getAddHocCommandsManager(connection);
        connection.registerIQRequestHandler(
                new AbstractIqRequestHandler(
                        AdHocCommandData.ELEMENT,
                        AdHocCommandData.NAMESPACE,
                        IQ.Type.set,
                        IQRequestHandler.Mode.async) {
                    @Override
                    public IQ handleIQRequest(IQ request) {
                        return handle(connection, (AdHocCommandData) request);
                    }
                });
        ServiceDiscoveryManager disco = ServiceDiscoveryManager.getInstanceFor(connection);
        disco.addFeature(COMMANDS);
        disco.addFeature(FEATURE);
        disco.setNodeInformationProvider(COMMANDS, new AbstractNodeInformationProvider() {
            @Override
            public List<DiscoverItems.Item> getNodeItems() {
                Jid self = connection.getUser();
                return List.of(
                        item(self, "get_history", "Get the history of a series"),
                        item(self, "subscribe", "Receive a series as it comes"),
                        item(self, "unsubscribe", "Stop receiving a series"));
            }
        });
        try {
            catalogue.series().forEach(s -> disco.setNodeInformationProvider(s.identifier(), seriesInfo(s)));
        } catch (RuntimeException e) {
            LOG.warn("The catalogue's series are not in service discovery yet: {}", e.toString());
        }
        disco.setNodeInformationProvider(CATALOGUE, new AbstractNodeInformationProvider() {
            @Override
            public List<DiscoverItems.Item> getNodeItems() {
                Jid self = connection.getUser();
                List<DiscoverItems.Item> items = new ArrayList<>();
                for (Series s : catalogue.series()) {
                    items.add(item(
                            self,
                            s.identifier(),
                            s.description() != null
                                    ? s.description()
                                    : s.quantity() + (s.unit() == null ? "" : " (" + s.unit() + ")")));
                    // the series' own node answers disco#info with its description (XEP-0128 extended info)
                    disco.setNodeInformationProvider(s.identifier(), seriesInfo(s));
                }
                return items;
            }
        });
    }

    /** disco#info of one series: a form of type urn:quoalise:0:series with its fields. */
    private static AbstractNodeInformationProvider seriesInfo(Series s) {
        return new AbstractNodeInformationProvider() {
            @Override
            public List<String> getNodeFeatures() {
                return List.of(FEATURE);
            }

            @Override
            public List<DiscoverInfo.Identity> getNodeIdentities() {
                return List.of(new DiscoverInfo.Identity("client", "bot", s.identifier()));
            }

            @Override
            public List<ExtensionElement> getNodePacketExtensions() {
                DataForm form = new DataForm(DataForm.Type.result);
                field(form, FormField.FORM_TYPE, "urn:quoalise:0:series").setType(FormField.Type.hidden);
                field(form, "identifier", s.identifier());
                field(form, "connector", s.connector());
                field(form, "quantity", s.quantity());
                field(form, "unit", s.unit());
                field(form, "aggregate", s.aggregate());
                field(
                        form,
                        "sampling",
                        s.samplingSeconds() == null ? null : s.samplingSeconds().toString());
                field(form, "pattern", Boolean.toString(s.isPattern()));
                return List.of(form);
            }
        };
    }

    private static FormField field(DataForm form, String var, String value) {
        FormField field = new FormField(var);
        if (value != null) {
            field.addValue(value);
        }
        form.addField(field);
        return field;
    }

    private static DiscoverItems.Item item(Jid self, String node, String name) {
        DiscoverItems.Item item = new DiscoverItems.Item(self);
        item.setNode(node);
        item.setName(name);
        return item;
    }

    IQ handle(XMPPConnection connection, AdHocCommandData request) {
        String node = request.getNode();
        String requester = request.getFrom().asBareJid().toString();
        String session = request.getSessionID() != null
                ? request.getSessionID()
                : UUID.randomUUID().toString();
        if (request.getAction() == AdHocCommand.Action.cancel) {
            return CommandResult.of(request, node, session, "canceled", "");
        }
        DataForm form = request.getForm();
        try {
            if ("get_history".equals(node) || "subscribe".equals(node)) {
                service.admit(requester); // refused before the form, not after it is filled
            }
            switch (node == null ? "" : node) {
                case "get_history": {
                    if (form == null) {
                        return CommandResult.of(request, node, session, "executing", form(node, true));
                    }
                    QuoaliseService.History history = service.history(
                            requester, value(form, "identifier"), value(form, "start_time"), value(form, "end_time"));
                    List<String> parts = QuoaliseData.parts(
                            history.identifier(),
                            catalogue.find(history.identifier()).orElse(null),
                            history.records(),
                            maxStanzaChars);
                    StringBuilder inner = new StringBuilder();
                    notes(history, parts.size())
                            .forEach(note -> inner.append("<note type=\"info\">")
                                    .append(escape(note))
                                    .append("</note>"));
                    inner.append(parts.get(0));
                    IQ result = CommandResult.of(request, node, session, "completed", inner.toString());
                    connection.sendStanza(result);
                    for (int i = 1; i < parts.size(); i++) {
                        Message message = new Message(request.getFrom(), Message.Type.normal);
                        // a body, as on every data message: clients (slixmpp, chat clients) skip messages without one
                        message.setBody(
                                "get_history " + history.identifier() + ": part " + (i + 1) + " of " + parts.size());
                        message.addExtension(new XmlExtension("quoalise", FEATURE, parts.get(i)));
                        connection.sendStanza(message);
                    }
                    return null; // answered above, before the parts that follow
                }
                case "subscribe": {
                    if (form == null) {
                        return CommandResult.of(request, node, session, "executing", form(node, false));
                    }
                    String identifier = value(form, "identifier");
                    String consent = service.subscribe(requester, identifier);
                    return CommandResult.of(
                            request,
                            node,
                            session,
                            "completed",
                            "<note type=\"info\">subscribed to " + escape(identifier) + " under consent " + consent
                                    + "</note>");
                }
                case "unsubscribe": {
                    if (form == null) {
                        return CommandResult.of(request, node, session, "executing", form(node, false));
                    }
                    String identifier = value(form, "identifier");
                    service.unsubscribe(requester, identifier);
                    return CommandResult.of(
                            request,
                            node,
                            session,
                            "completed",
                            "<note type=\"info\">unsubscribed" + " from " + escape(identifier) + "</note>");
                }
                default:
                    return error(request, StanzaError.Condition.bad_request, "unknown command node '" + node + "'");
            }
        } catch (QuoaliseError e) {
            LOG.info("Quoalise {} from {} refused: {}", node, requester, e.getMessage());
            StanzaError.Condition condition = switch (e.condition()) {
                case NOT_AUTHORIZED -> StanzaError.Condition.not_authorized;
                case BAD_REQUEST -> StanzaError.Condition.bad_request;
                case ITEM_NOT_FOUND -> StanzaError.Condition.item_not_found;
                case FORBIDDEN -> StanzaError.Condition.forbidden;
            };
            return error(request, condition, e.getMessage());
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Quoalise {} from {} failed: {}", node, requester, e.toString());
            return error(
                    request,
                    StanzaError.Condition.internal_server_error,
                    "the proxy could not answer now;" + " try again later");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (org.jivesoftware.smack.SmackException.NotConnectedException e) {
            LOG.info("Quoalise {} from {}: the session dropped before the answer was sent", node, requester);
            return null;
        }
    }

    /** What a history answer says besides its data: its parts, what was left out and why, the period it covers. */
    static List<String> notes(QuoaliseService.History history, int parts) {
        List<String> notes = new ArrayList<>();
        if (parts > 1 || history.truncated()) {
            StringBuilder size =
                    new StringBuilder().append(history.records().size()).append(" records");
            if (parts > 1) {
                size.append(", in ")
                        .append(parts)
                        .append(" parts: this one and ")
                        .append(parts - 1)
                        .append(" message(s) that follow");
            }
            if (history.truncated()) {
                size.append("; later records were left out: ask for a shorter period");
            }
            notes.add(size.toString());
        }
        if (history.defaulted()) {
            notes.add("period " + history.from() + " .. " + history.to() + " (no start_time or end_time: the"
                    + " default window)");
        }
        if (history.outsideDataPeriod() > 0) {
            notes.add(history.outsideDataPeriod() + " record(s) measured outside the consent's data period ("
                    + history.data() + ") were left out");
        }
        return notes;
    }

    private static IQ error(IQ request, StanzaError.Condition condition, String text) {
        // RFC 6120 8.3.2: <text> is in the stanzas namespace. Smack 4.3 writes it, and any extension in that
        // namespace, without an xmlns (it takes the stanzas namespace for the enclosing one), so clients (slixmpp)
        // do not find it: the text goes as XML of our own making.
        return IQ.createErrorResponse(
                request,
                StanzaError.getBuilder(condition)
                        .addExtension(new XmlExtension(
                                "text",
                                StanzaError.ERROR_CONDITION_AND_TEXT_NAMESPACE,
                                "<text xmlns=\"" + StanzaError.ERROR_CONDITION_AND_TEXT_NAMESPACE
                                        + "\" xml:lang=\"en\">" + escape(text) + "</text>")));
    }

    private static String value(DataForm form, String field) {
        FormField f = form.getField(field);
        return f == null ? null : f.getFirstValue();
    }

    /** The form a client fills for a command. */
    private static String form(String node, boolean period) {
        StringBuilder x = new StringBuilder("<x xmlns=\"jabber:x:data\" type=\"form\"><title>")
                .append(node)
                .append("</title><field var=\"identifier\" type=\"text-single\" label=\"Series identifier (SenML"
                        + " name)\"><required/></field>");
        if (period) {
            x.append("<field var=\"start_time\" type=\"text-single\" label=\"Start (ISO 8601; no offset: UTC;"
                            + " empty: 24 h before the end)\"/>")
                    .append("<field var=\"end_time\" type=\"text-single\" label=\"End, excluded (ISO 8601;"
                            + " empty: now)\"/>");
        }
        return x.append("</x>").toString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;")
                .replace("<", "&lt;")
                .replace(">", "&gt;")
                .replace("\"", "&quot;");
    }

    /** A command's answer: the command element with its node, session and status, around ready-made XML. */
    static final class CommandResult extends IQ {
        private final String node;
        private final String session;
        private final String status;
        private final String inner;

        private CommandResult(String node, String session, String status, String inner) {
            super(AdHocCommandData.ELEMENT, AdHocCommandData.NAMESPACE);
            this.node = node;
            this.session = session;
            this.status = status;
            this.inner = inner;
        }

        static CommandResult of(IQ request, String node, String session, String status, String inner) {
            CommandResult result = new CommandResult(node, session, status, inner);
            result.setType(IQ.Type.result);
            result.setTo(request.getFrom());
            result.setStanzaId(request.getStanzaId());
            return result;
        }

        @Override
        protected IQChildElementXmlStringBuilder getIQChildElementBuilder(IQChildElementXmlStringBuilder xml) {
            xml.attribute("node", node);
            xml.attribute("sessionid", session);
            xml.attribute("status", status);
            xml.rightAngleBracket();
            xml.append(inner);
            return xml;
        }
    }
}
