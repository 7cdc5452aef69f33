package org.senproxy.observe;

import java.util.List;

import org.jivesoftware.smack.packet.Message;
import org.jxmpp.stringprep.XmppStringprepException;
import org.senproxy.federation.FederationCodec;
import org.senproxy.senml.SenmlRecord;

/**
 * Where the proxy reports on itself ({@link Heartbeat}, {@link Alarms}): the monitoring JID
 * ({@code senproxy.heartbeat.jid}; unset, nothing is sent) and the SenML base name of this proxy.
 *
 * <p>Reports are plain XMPP messages carrying SenML in the Quoalise data element
 * ({@link FederationCodec#notice}), sent straight on the session when it is up: not through the outbox, as a status is
 * only worth its moment and an observer is not a federated app with consents. So the monitoring JID is a monitoring
 * client (a Quoalise or plain XMPP client), not another sen-proxy: a proxy refuses messages without its envelope and
 * keeps each as a dead letter.
 */
public final class Monitoring {

    private final String ownJid;
    private final String monitoringJid;
    private final String baseName;

    /** @param monitoringJid where reports go, or {@code null}/blank: none are sent */
    public Monitoring(String ownJid, String monitoringJid) {
        this.ownJid = ownJid;
        this.monitoringJid = monitoringJid == null || monitoringJid.isBlank() ? null : monitoringJid.trim();
        this.baseName = baseName(ownJid);
    }

    /** A monitoring JID is set. */
    public boolean enabled() {
        return monitoringJid != null;
    }

    public String ownJid() {
        return ownJid;
    }

    /**
     * The SenML base name of this proxy's own series, {@code urn:dev:senproxy:<local part>:<domain>_}: an RFC 9039
     * style device name, as the connectors' meters have. A JID's {@code @} and other characters a SenML name cannot
     * hold (only {@code A-Z a-z 0-9 - : . /} here, {@code _} being the separator) become {@code :} and {@code -}.
     */
    public String baseName() {
        return baseName;
    }

    static String baseName(String jid) {
        return "urn:dev:senproxy:" + jid.replace('@', ':').replaceAll("[^-A-Za-z0-9:./]", "-") + "_";
    }

    /** A SenML name part from free text (a connector's route id): characters a name cannot hold become {@code -}. */
    static String namePart(String text) {
        return text.replaceAll("[^-A-Za-z0-9:./_]", "-");
    }

    /** The message carrying {@code records} to the monitoring JID; only when {@link #enabled()}. */
    Message message(String body, List<SenmlRecord> records) throws XmppStringprepException {
        if (monitoringJid == null) {
            throw new IllegalStateException("no monitoring JID (senproxy.heartbeat.jid)");
        }
        return FederationCodec.notice(monitoringJid, body, records);
    }
}
