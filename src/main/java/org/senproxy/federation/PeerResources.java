package org.senproxy.federation;

import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;

import org.jivesoftware.smack.AbstractConnectionListener;
import org.jivesoftware.smack.XMPPConnection;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.Presence;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jxmpp.jid.Jid;
import org.jxmpp.jid.impl.JidCreate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas of each peer proxy that are online now (their full JIDs, learnt from presence), and the choice of one
 * of them for each data message ({@link #address}), so that a message is taken, verified and stored by one replica of
 * the receiver rather than by each: an XMPP server delivers a message addressed to a bare JID to every resource of the
 * highest priority (ejabberd and Prosody do, for chat and normal messages).
 *
 * <p>Presence without a roster: at each login this replica sends a directed presence to the bare JID of every
 * registered app (the server delivers it to each of the app's online resources), and answers an announcement from a
 * peer's resource with a directed presence to that full JID, marked {@code <answer xmlns="urn:senproxy:0"/>} (an
 * answer is not answered).
 * So each side learns the other's resources whichever started first; the server remembers the directed presences it
 * carried and sends {@code unavailable} on the sender's behalf when its session ends, a kill included (the socket
 * closes). Presence from addresses that are not registered apps is ignored.
 *
 * <p>Ready, not just online: a replica is chosen by the peers only once it can take their messages. Held
 * ({@link #holdUntilReady}), it neither announces itself at login nor answers announcements, so that no peer addresses
 * it while its routes are still starting; {@link #ready} (the Camel context fully started) announces it. When it stops
 * ({@link #stopping}), it tells the peers {@code unavailable} before its routes stop, so that they choose the other
 * replicas while it drains, without waiting for its session to close. While running, it is withdrawn the same way when
 * it cannot take messages for a while (its database away: {@link #withdraw}, from the readiness watch) and announced
 * again when it can ({@link #restore}); its session stays up throughout.
 *
 * <p>Which replica: the available resources of the recipient in a stable order; the outbox row's id divided by the run
 * length ({@code senproxy.xmpp.replica-run}), plus the row's attempts, modulo their count. Consecutive rows go to one
 * replica in runs, so that what a replica receives arrives together and fills its inbound batches (one transaction,
 * one acknowledgement, one sink call each) as with a single replica: sent one by one to each replica in turn, every
 * replica's batches held 1/N of the messages and cost N times the commits per message. Runs spread over the replicas;
 * a message sent again (no acknowledgement in time) goes to the next replica, and a replica gone is not chosen any
 * more. No resource known (a peer from before, or
 * whose presence has not arrived yet): the bare JID, as before. Sending to a full JID that went away in between is
 * harmless: the server routes a chat message for an unavailable resource as one for the bare JID (RFC 6121 8.5.3.2),
 * and the receiver's inbox stores a message once per (sender, message id) whichever replica gets it.
 */
public final class PeerResources {

    private static final Logger LOG = LoggerFactory.getLogger(PeerResources.class);

    /** The element of an answer to an announcement ({@code <answer xmlns="urn:senproxy:0"/>}). */
    private static final String ANSWER = "answer";

    private final Peers peers;
    private final String ownBareJid;
    private final boolean addressReplicas;
    private final int run;
    /** Bare JID of a peer to the full JIDs of its available resources, in order. */
    private final Map<String, NavigableSet<String>> online = new ConcurrentHashMap<>();
    /** Whether this replica announces itself to the peers (see the class): true unless held until ready. */
    private volatile boolean ready = true;
    /** Set once it stops: never announced again. */
    private volatile boolean stopped;
    /** Why it is withdrawn while running ({@link #withdraw}); null while it is not. */
    private volatile String withdrawn;
    /** The peers' bare JIDs this replica last announced itself to (read from the database then). */
    private volatile List<String> announcedTo = List.of();
    /** The session that logged in last (announced to once ready). */
    private volatile XMPPConnection session;

    /**
     * @param addressReplicas whether data messages go to one replica of the recipient ({@code
     *                        senproxy.xmpp.address-replicas}); false: to its bare JID, as before (the presence is
     *                        followed anyway, so that the peers learn this replica)
     * @param run             consecutive outbox rows sent to one replica ({@code senproxy.xmpp.replica-run}; 1: each
     *                        to the next)
     */
    public PeerResources(Peers peers, String ownBareJid, boolean addressReplicas, int run) {
        if (run < 1) {
            throw new IllegalArgumentException("senproxy.xmpp.replica-run must be 1 or more, not " + run);
        }
        this.peers = peers;
        this.ownBareJid = ownBareJid;
        this.addressReplicas = addressReplicas;
        this.run = run;
    }

    /** Follows the presence arriving on a session of this proxy; called with each session before it connects. */
    public void attach(XMPPConnection connection) {
        connection.addAsyncStanzaListener(stanza -> received(connection, (Presence) stanza), StanzaTypeFilter.PRESENCE);
        connection.addConnectionListener(new AbstractConnectionListener() {
            @Override
            public void authenticated(XMPPConnection c, boolean resumed) {
                online.clear();
                session = c;
                if (announced()) {
                    announce(c);
                } else if (withdrawn != null) {
                    LOG.info("Presence to the peers held while this replica is withdrawn: {}", withdrawn);
                } else if (!stopped) {
                    LOG.info("Presence to the peers held until this replica's routes have started");
                }
            }

            @Override
            public void connectionClosed() {
                online.clear();
            }

            @Override
            public void connectionClosedOnError(Exception e) {
                online.clear();
            }
        });
    }

    /** Announces nothing to the peers until {@link #ready} (called before the session logs in). */
    public void holdUntilReady() {
        ready = false;
    }

    /** This replica takes messages now: announced to every peer, and announcements answered from now on. */
    public void ready() {
        if (ready) {
            return;
        }
        ready = true;
        XMPPConnection c = session;
        if (announced() && c != null && c.isAuthenticated()) {
            announce(c);
        }
    }

    /** Whether the peers are told this replica takes their messages: ready, not stopping, not withdrawn. */
    public boolean announced() {
        return ready && !stopped && withdrawn == null;
    }

    /**
     * This replica cannot take messages for now ({@code why}: e.g. its database is unreachable): every peer is told it
     * is unavailable, as on {@link #stopping}, and announcements are no longer answered, until {@link #restore}. Its
     * session stays up. Nothing when already withdrawn.
     */
    public void withdraw(String why) {
        if (withdrawn != null) {
            return;
        }
        boolean wasAnnounced = announced();
        withdrawn = why;
        if (wasAnnounced) {
            int told = unavailable();
            LOG.warn("Withdrawn from the peers ({} told this replica is unavailable): {}", told, why);
        }
    }

    /** This replica takes messages again after {@link #withdraw}: announced to every peer, as at login. */
    public void restore() {
        if (withdrawn == null) {
            return;
        }
        withdrawn = null;
        XMPPConnection c = session;
        if (announced() && c != null && c.isAuthenticated()) {
            LOG.info("Announced to the peers again");
            announce(c);
        }
    }

    /**
     * This replica is stopping: every peer is told it is unavailable (a directed presence to each app's bare JID,
     * which the server delivers to each of the app's replicas online), and announcements are no longer answered.
     */
    public void stopping() {
        boolean wasAnnounced = announced();
        stopped = true;
        if (wasAnnounced) {
            LOG.info("Stopping: {} peer(s) told this replica is unavailable", unavailable());
        }
    }

    /**
     * A directed {@code unavailable} to each peer's bare JID, which the server delivers to each of the peer's replicas
     * online.
     *
     * @return the peers told; -1 when they could not be (they learn it when the session closes, or not at all while
     *     it stays up: the messages sent here meanwhile are sent again after their ack timeout)
     */
    private int unavailable() {
        XMPPConnection c = session;
        if (c == null || !c.isAuthenticated()) {
            return 0;
        }
        try {
            // the peers announced to and those online (answered), without reading the database: it may be what is away
            Set<String> jids = new TreeSet<>(announcedTo);
            jids.addAll(online.keySet());
            int told = 0;
            for (String jid : jids) {
                if (!jid.equals(ownBareJid)) {
                    Presence presence = new Presence(Presence.Type.unavailable);
                    presence.setTo(JidCreate.from(jid));
                    c.sendStanza(presence);
                    told++;
                }
            }
            return told;
        } catch (Exception e) {
            LOG.warn("Peers not told this replica is unavailable: {}", e.toString());
            return -1;
        }
    }

    /**
     * Readdresses a data message for a peer's bare JID to one of the peer's available resources (see the class);
     * left as it is when none is known or when it already names a resource.
     *
     * @param attempts the row's attempts so far: a message sent again goes to the next resource
     * @param row      the outbox row's id: consecutive rows go to one resource, in runs
     */
    public Message address(Message message, int attempts, long row) {
        Jid to = message.getTo();
        if (!addressReplicas || to == null || to.hasResource()) {
            return message;
        }
        NavigableSet<String> resources = online.get(to.asBareJid().toString());
        if (resources == null) {
            return message;
        }
        Object[] now = resources.toArray();
        if (now.length == 0) {
            return message;
        }
        int pick = (int) Math.floorMod(Math.floorDiv(row, run) + attempts, (long) now.length);
        message.setTo(JidCreate.fromOrThrowUnchecked((String) now[pick]));
        return message;
    }

    private void announce(XMPPConnection connection) {
        try {
            // the broadcast presence first: Smack sends it right after this listener, and a directed presence before
            // it would be sent while unavailable
            connection.sendStanza(new Presence(Presence.Type.available));
            List<String> jids = peers.jids();
            announcedTo = List.copyOf(jids);
            for (String jid : jids) {
                if (!jid.equals(ownBareJid)) {
                    Presence presence = new Presence(Presence.Type.available);
                    presence.setTo(JidCreate.from(jid));
                    connection.sendStanza(presence);
                }
            }
            LOG.info("Presence sent to {} peer(s), to learn their replicas", jids.size());
        } catch (Exception e) {
            LOG.warn(
                    "Presence not sent to the peers ({}): messages go to their bare JIDs until they announce"
                            + " themselves",
                    e.toString());
        }
    }

    private void received(XMPPConnection connection, Presence presence) {
        Jid from = presence.getFrom();
        if (from == null || !from.hasResource()) {
            return;
        }
        String bare = from.asBareJid().toString();
        try {
            if (bare.equals(ownBareJid) || !peers.isKnown(bare)) {
                return;
            }
        } catch (Exception e) {
            LOG.debug("Presence of {} not followed: {}", from, e.toString());
            return;
        }
        String full = from.toString();
        if (presence.getType() == Presence.Type.available) {
            boolean added = online.computeIfAbsent(bare, b -> new ConcurrentSkipListSet<>())
                    .add(full);
            if (added) {
                LOG.info("Peer replica {} is online", full);
            }
            // an announcement is answered, so that the peer learns this replica too; an answer is not (the server
            // names the receiving resource in 'to' either way, so the answer says what it is); nor is anything
            // while this replica is not ready: it announces itself once it is
            if (presence.getExtension(ANSWER, FederationCodec.NAMESPACE) == null && announced()) {
                answer(connection, from);
            }
        } else if (presence.getType() == Presence.Type.unavailable || presence.getType() == Presence.Type.error) {
            NavigableSet<String> resources = online.get(bare);
            if (resources != null && resources.remove(full)) {
                LOG.info("Peer replica {} went away", full);
            }
        }
    }

    private static void answer(XMPPConnection connection, Jid to) {
        Presence presence = new Presence(Presence.Type.available);
        presence.setTo(to);
        presence.addExtension(StandardExtensionElement.builder(ANSWER, FederationCodec.NAMESPACE)
                .build());
        try {
            connection.sendStanza(presence);
        } catch (Exception e) {
            LOG.debug("Presence answer to {} not sent: {}", to, e.toString());
        }
    }
}
