package org.senproxy.federation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.senproxy.testing.ProxyProcess;
import org.senproxy.testing.ReceiverReplicas;
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
}
