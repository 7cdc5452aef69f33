package org.senproxy.bench;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.nimbusds.jose.jwk.ECKey;
import org.jivesoftware.smack.filter.StanzaTypeFilter;
import org.jivesoftware.smack.packet.ExtensionElement;
import org.jivesoftware.smack.packet.Message;
import org.jivesoftware.smack.packet.StandardExtensionElement;
import org.jivesoftware.smack.tcp.XMPPTCPConnection;
import org.senproxy.federation.FederationCodec;
import org.senproxy.outbox.OutboxMessage;
import org.senproxy.senml.Senml;
import org.senproxy.testing.Consented;
import org.senproxy.testing.XmppTestServer;

/**
 * The ceiling of the XMPP hop: two plain Smack sessions on the same server, with the same kind of account and the same
 * connection settings as the proxies (STARTTLS, no stream management), exchanging the proxies' own stanzas
 * ({@link FederationCodec}: the same envelope, quoalise SenML and signature, the same number of records per message)
 * and acknowledgements, with no database on either side. The sender keeps at most {@code window} messages waiting for
 * their acknowledgement; the receiver counts the records and acknowledges each message.
 */
final class RawSmackBaseline {

    record Result(
            int pack,
            double seconds,
            long records,
            long messages,
            double recordsPerSecond,
            double stanzaCharsPerRecord,
            ProcessStats.Wire wire,
            long cpuTicks,
            long machineTicks,
            long serverTicks) {}

    private RawSmackBaseline() {}

    static Result run(
            XmppTestServer xmpp,
            String sender,
            String senderPassword,
            String receiver,
            String receiverPassword,
            ECKey signingKey,
            int pack,
            int window,
            int warmupSeconds,
            int seconds,
            long serverPid)
            throws Exception {
        XMPPTCPConnection.setUseStreamManagementDefault(false);
        XMPPTCPConnection a = connect(xmpp, sender, senderPassword);
        XMPPTCPConnection b = connect(xmpp, receiver, receiverPassword);
        try {
            String senderJid = sender + "@" + xmpp.domain();
            String receiverJid = receiver + "@" + xmpp.domain();
            FederationCodec codec = new FederationCodec(senderJid, signingKey, Clock.systemUTC());
            FederationCodec receiverCodec = new FederationCodec(receiverJid);
            AtomicLong received = new AtomicLong();
            b.addSyncStanzaListener(
                    stanza -> {
                        Message m = (Message) stanza;
                        ExtensionElement envelope = m.getExtension("envelope", FederationCodec.NAMESPACE);
                        if (envelope instanceof StandardExtensionElement e) {
                            received.addAndGet(Long.parseLong(e.getAttributeValue("records")));
                            try {
                                b.sendStanza(receiverCodec.accepted(
                                        FederationCodec.bareSender(m), e.getAttributeValue("id")));
                            } catch (org.jxmpp.stringprep.XmppStringprepException bad) {
                                throw new IllegalStateException(bad);
                            }
                        }
                    },
                    StanzaTypeFilter.MESSAGE);

            Semaphore inFlight = new Semaphore(window);
            Map<String, Integer> waiting = new ConcurrentHashMap<>();
            AtomicLong acked = new AtomicLong();
            AtomicLong ackedMessages = new AtomicLong();
            a.addSyncStanzaListener(
                    stanza -> {
                        ExtensionElement ack = ((Message) stanza).getExtension("ack", FederationCodec.NAMESPACE);
                        if (ack instanceof StandardExtensionElement e) {
                            Integer records = waiting.remove(e.getAttributeValue("id"));
                            if (records != null) {
                                acked.addAndGet(records);
                                ackedMessages.incrementAndGet();
                                inFlight.release();
                            }
                        }
                    },
                    StanzaTypeFilter.MESSAGE);

            BenchRecords records = new BenchRecords("urn:dev:bench:raw-smack:");
            long stanzaChars = 0;
            long stanzaRecords = 0;
            long warmupEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmupSeconds);
            long end = warmupEnd + TimeUnit.SECONDS.toNanos(seconds);
            long startAcked = -1;
            long startMessages = 0;
            long startNanos = 0;
            long startTicks = 0;
            long startMachine = 0;
            long startServer = 0;
            ProcessStats.Wire startWire = null;
            long self = ProcessHandle.current().pid();
            while (System.nanoTime() < end) {
                if (startAcked < 0 && System.nanoTime() >= warmupEnd) {
                    startAcked = acked.get();
                    startMessages = ackedMessages.get();
                    startNanos = System.nanoTime();
                    startTicks = ProcessStats.cpuTicks(self);
                    startMachine = ProcessStats.machineBusyTicks();
                    startServer = ProcessStats.cpuTicks(serverPid);
                    startWire = ProcessStats.wire(ProcessStats.wire(xmpp.port()), self);
                }
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                // what the outbox holds for a pack: the records resolved, as SenML JSON
                List<String> next = records.next(pack);
                String payload = Senml.toJson(
                        Senml.fromMeasurements(Senml.resolve(Senml.parseJson(BenchRecords.pack(next)), 0)));
                String id = UUID.randomUUID().toString();
                Message stanza =
                        codec.toStanza(new OutboxMessage(0, id, id, receiverJid, payload, pack, 0, Consented.REF));
                if (stanzaRecords < 10_000) {
                    stanzaChars += stanza.toXML(null).length();
                    stanzaRecords += pack;
                }
                waiting.put(id, pack);
                a.sendStanza(stanza);
            }
            long endAcked = acked.get();
            double took = (System.nanoTime() - startNanos) / 1e9;
            ProcessStats.Wire wire =
                    ProcessStats.wire(ProcessStats.wire(xmpp.port()), self).minus(startWire);
            long ticks = ProcessStats.cpuTicks(self) - startTicks;
            long machine = ProcessStats.machineBusyTicks() - startMachine;
            long server = ProcessStats.cpuTicks(serverPid) - startServer;
            long count = endAcked - startAcked;
            return new Result(
                    pack,
                    took,
                    count,
                    ackedMessages.get() - startMessages,
                    count / took,
                    (double) stanzaChars / Math.max(1, stanzaRecords),
                    wire,
                    ticks,
                    machine,
                    server);
        } finally {
            a.disconnect();
            b.disconnect();
        }
    }

    private static XMPPTCPConnection connect(XmppTestServer xmpp, String user, String password) throws Exception {
        return xmpp.connect(user, password, "bench");
    }
}
