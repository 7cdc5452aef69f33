package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.senproxy.testing.ProxyProcess;
import org.senproxy.testing.ReceiverReplicas;
import org.senproxy.testing.TcpForwarder;
import org.senproxy.testing.TestPostgres;
import org.senproxy.testing.VysperTestServer;
import org.senproxy.testing.XmppTestServer;

/**
 * Replicas of a receiving proxy share its bare JID; each message is taken by one of them (PeerResources: the sender
 * addresses the full JID of one replica online, learnt from presence), and when one is killed (SIGKILL) mid-load the
 * others take the rest: nothing lost, nothing duplicated in the sink. Processes of their own, against the XMPP server
 * of {@link XmppTestServer#fromEnvironment()}.
 */
class ReceiverReplicasIT {

    private static final int RECORDS = 10;

    @Test
    void eachMessageIsProcessedByOneReplicaAndTheOtherTakesOverWhenOneIsKilled() throws Exception {
        XmppTestServer xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        try (ReceiverReplicas run =
                new ReceiverReplicas(xmpp, 2, Path.of("target", "replicas-it"), ProxyProcess.TEST_JVM)) {
            ProxyProcess one = run.receivers().get(0);
            ProxyProcess two = run.receivers().get(1);

            // all up: each message processed by one replica, spread over both
            int first = 300;
            run.enqueue(first, RECORDS);
            assertThat(run.awaitStoredAndAcked(first, Duration.ofSeconds(60)))
                    .as("all stored and acknowledged")
                    .isTrue();
            Thread.sleep(1000); // a late copy would be counted
            double byOne = ReceiverReplicas.verified(one);
            double byTwo = ReceiverReplicas.verified(two);
            double work = (byOne + byTwo) / first;
            System.out.printf(
                    "REPLICAS 2 replicas up: %.0f + %.0f processings, %.3f per message%n", byOne, byTwo, work);
            assertThat(work).as("processings per message").isBetween(1.0, 1.05);
            assertThat(byOne).as("replica 1's share").isPositive();
            assertThat(byTwo).as("replica 2's share").isPositive();

            // replica 1 killed mid-load: replica 2 takes the rest
            int second = 600;
            run.enqueue(second, RECORDS);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (run.stored() < first + 100 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            double twoBefore = ReceiverReplicas.verified(two);
            long storedAtKill = run.stored();
            one.kill();
            long killed = System.nanoTime();
            assertThat(run.awaitStoredAndAcked(first + second, Duration.ofSeconds(60)))
                    .as("all stored and acknowledged after the kill")
                    .isTrue();
            // what the killed replica stored and had not delivered yet is delivered by the other after its lease
            run.awaitSinkRows((long) (first + second) * RECORDS, Duration.ofSeconds(30));
            double twoAfter = ReceiverReplicas.verified(two);
            long[] sink = run.sinkRows();
            System.out.printf(
                    "REPLICAS replica 1 killed with %d of %d stored; the rest stored and delivered %d ms later, replica 2 processed"
                            + " %.0f after the kill; sink %d rows, %d distinct; %d resends%n",
                    storedAtKill,
                    first + second,
                    (System.nanoTime() - killed) / 1_000_000,
                    twoAfter - twoBefore,
                    sink[0],
                    sink[1],
                    run.resends());
            assertThat(run.stored()).as("inbox").isEqualTo(first + second);
            assertThat(sink[0]).as("sink rows").isEqualTo((long) (first + second) * RECORDS);
            assertThat(sink[1]).as("distinct sink rows").isEqualTo(sink[0]);
            assertThat(twoAfter - twoBefore)
                    .as("processed by replica 2 after the kill")
                    .isPositive();
        } finally {
            // a shared server (ejabberd, Prosody) stays up for the other tests; the embedded one goes
            if (xmpp instanceof VysperTestServer) {
                xmpp.stop();
            }
        }
    }

    /**
     * A replica whose database goes away (its own link to it cut: a real PostgreSQL, a real failure; the other replica
     * and the sender keep theirs) is withdrawn from the sender within seconds while its XMPP session stays up, the
     * other replica takes the messages meanwhile, at once rather than after the ack timeout, and the replica is
     * announced again once its database is back: nothing lost, nothing duplicated.
     */
    @Test
    void aReplicaWhoseDatabaseGoesAwayIsWithdrawnUntilItIsBack() throws Exception {
        XmppTestServer xmpp = XmppTestServer.fromEnvironment();
        xmpp.start();
        try (TcpForwarder link = new TcpForwarder(TestPostgres.server().getPort());
                ReceiverReplicas run = new ReceiverReplicas(
                        xmpp,
                        2,
                        Path.of("target", "replicas-it-db"),
                        ProxyProcess.TEST_JVM,
                        Map.of("senproxy.readiness.check-ms", "1000", "senproxy.readiness.settle-ms", "2000"),
                        (replica, settings) -> {
                            if (replica == 1) {
                                settings.put("senproxy.db.url", link.through(settings.get("senproxy.db.url")));
                            }
                        })) {
            ProxyProcess one = run.receivers().get(0);
            ProxyProcess two = run.receivers().get(1);
            long total = 0;

            // all up: both take messages (A knows both: ReceiverReplicas waits for it)
            int first = 200;
            run.enqueue(first, RECORDS);
            total += first;
            assertThat(run.awaitStoredAndAcked(total, Duration.ofSeconds(60)))
                    .as("all stored")
                    .isTrue();
            assertThat(ReceiverReplicas.verified(one)).as("replica 1's share").isPositive();

            assertThat(ReceiverReplicas.metric(one, "senproxy_replica_announced"))
                    .as("replica 1 announced")
                    .isEqualTo(1.0);

            // replica 1's database cut mid-load: the sender learns it is unavailable within seconds
            int second = 400;
            run.enqueue(second, RECORDS);
            total += second;
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (run.stored() < first + 100 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            long goneBefore = run.replicasGoneToSender();
            link.cut();
            long cut = System.nanoTime();
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> run.replicasGoneToSender() > goneBefore);
            long withdrawnMs = (System.nanoTime() - cut) / 1_000_000;
            assertThat(one.isAlive()).as("replica 1 runs on").isTrue();
            // what was in flight to replica 1 is sent again to replica 2 after the ack timeout (5 s here)
            assertThat(run.awaitStoredAndAcked(total, Duration.ofSeconds(60)))
                    .as("the load stored and acknowledged, by replica 2")
                    .isTrue();

            // meanwhile, new messages go to replica 2 at once: none needs sending again
            long resendsBefore = run.resends();
            double twoBefore = ReceiverReplicas.verified(two);
            int third = 300;
            long thirdStart = System.nanoTime();
            run.enqueue(third, RECORDS);
            total += third;
            assertThat(run.awaitStoredAndAcked(total, Duration.ofSeconds(60)))
                    .as("stored by replica 2")
                    .isTrue();
            long thirdMs = (System.nanoTime() - thirdStart) / 1_000_000;
            assertThat(run.resends()).as("resends while replica 1 is withdrawn").isEqualTo(resendsBefore);
            assertThat(ReceiverReplicas.verified(two) - twoBefore)
                    .as("replica 2 took them all")
                    .isGreaterThanOrEqualTo(third);

            // the database back: replica 1 announced again after the settle time, and chosen again
            long onlineBefore = run.replicasOnlineToSender();
            link.restore();
            long restored = System.nanoTime();
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> run.replicasOnlineToSender() > onlineBefore);
            long announcedMs = (System.nanoTime() - restored) / 1_000_000;
            assertThat(ReceiverReplicas.metric(one, "senproxy_replica_announced"))
                    .as("replica 1 announced again")
                    .isEqualTo(1.0);
            double oneBefore = ReceiverReplicas.verified(one);
            int fourth = 200;
            run.enqueue(fourth, RECORDS);
            total += fourth;
            assertThat(run.awaitStoredAndAcked(total, Duration.ofSeconds(60)))
                    .as("all stored")
                    .isTrue();
            assertThat(ReceiverReplicas.verified(one) - oneBefore)
                    .as("replica 1 takes messages again")
                    .isPositive();

            assertThat(run.awaitSinkRows(total * RECORDS, Duration.ofSeconds(30)))
                    .as("all delivered")
                    .isTrue();
            long[] sink = run.sinkRows();
            System.out.printf(
                    "REPLICAS database of replica 1 cut: withdrawn from the sender %d ms later; %d messages meanwhile"
                            + " stored by replica 2 in %d ms, no resend; database back: announced again %d ms later;"
                            + " inbox %d, sink %d rows, %d distinct, %d resends in all%n",
                    withdrawnMs, third, thirdMs, announcedMs, run.stored(), sink[0], sink[1], run.resends());
            assertThat(withdrawnMs).as("withdrawn within a few seconds").isLessThan(5000);
            assertThat(run.stored()).as("inbox").isEqualTo(total);
            assertThat(sink[0]).as("sink rows").isEqualTo(total * RECORDS);
            assertThat(sink[1]).as("distinct sink rows").isEqualTo(sink[0]);
        } finally {
            if (xmpp instanceof VysperTestServer) {
                xmpp.stop();
            }
        }
    }
}
