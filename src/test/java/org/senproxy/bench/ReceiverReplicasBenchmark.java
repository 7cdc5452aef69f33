package org.senproxy.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.senproxy.testing.ProxyProcess;
import org.senproxy.testing.ReceiverReplicas;
import org.senproxy.testing.XmppTestServer;

/**
 * How much work the replicas of a receiving proxy do per message, and how fast they take a burst. For 1, 2 and 3
 * replicas of B ({@code bench.replicas}), A gets {@code bench.messages} messages of {@code bench.records} records in
 * its outbox at once and sends them; the run ends when B stored them all and A saw them all acknowledged. Printed per
 * run: each replica's verified messages ({@code senproxy_inbound_signatures_verified_total}), their sum divided by
 * the messages (the work per message: 1.0 when each message reaches one replica), the messages per second from the
 * enqueue to the last acknowledgement, the CPU per message, the transactions committed in B's database per message
 * ({@code pg_stat_database.xact_commit}, all replicas and PostgreSQL's own), A's resends, and B's sink check. Modes
 * ({@code bench.modes}): {@code bare}, A sends to B's bare JID; {@code each}, each message to one replica of B, the
 * next message to the next replica; {@code replicas}, the same in runs of 50 consecutive messages (the default). The XMPP server is
 * {@link XmppTestServer#fromEnvironment()} (SENPROXY_IT_XMPP=prosody), or for SENPROXY_IT_XMPP=ejabberd the
 * benchmark's own ejabberd node ({@link BenchEjabberd}, port {@code bench.xmpp-port}, 5322). The report is also written to
 * {@code target/bench/replicas-<server>.md}.
 *
 * <p>{@code -Dbench.jfr=true}: flight recordings of the burst, {@code target/bench/<mode>-<replicas>/<process>.jfr}.
 *
 * <p>Run (after {@code mvn -DskipTests package}): {@code mvn -B -ntp -o -q test-compile exec:java
 * -Dexec.classpathScope=test -Dexec.mainClass=org.senproxy.bench.ReceiverReplicasBenchmark}.
 */
public final class ReceiverReplicasBenchmark {

    private ReceiverReplicasBenchmark() {}

    public static void main(String[] args) throws Exception {
        int messages = Integer.getInteger("bench.messages", 2000);
        int records = Integer.getInteger("bench.records", 10);
        String server = System.getenv().getOrDefault("SENPROXY_IT_XMPP", "vysper");
        List<String> lines = new ArrayList<>();
        lines.add(String.format(
                "Receiver replicas, %s, %d messages of %d records, %d cores; proxies %s",
                server, messages, records, Runtime.getRuntime().availableProcessors(), ProxyProcess.TEST_JVM));
        lines.add("");
        lines.add(
                "| A sends to | replicas of B | verified per replica | work per message | messages/s | CPU ms per"
                        + " message: B's replicas, A | B's replicas idle, CPU % of a core | machine busy | B's commits per message | A's resends | sink rows (distinct) |");
        lines.add("|---|---|---|---|---|---|---|---|---|---|---|");
        // ejabberd: the benchmark's own node (BenchEjabberd, port bench.xmpp-port), not the shared one tests restart
        XmppTestServer xmpp = server.equals("ejabberd")
                ? new BenchEjabberd(Integer.getInteger("bench.xmpp-port", 5322))
                : XmppTestServer.fromEnvironment();
        xmpp.start();
        // bare: messages to B's bare JID (senproxy.xmpp.address-replicas=false, as before issue 21); each: each message
        // to one replica of B online, the next message to the next replica (senproxy.xmpp.replica-run=1); replicas:
        // the same in runs of 50 consecutive messages per replica (the default)
        for (String mode : System.getProperty("bench.modes", "bare,replicas").split(",")) {
            for (String n : System.getProperty("bench.replicas", "1,2,3").split(",")) {
                int replicas = Integer.parseInt(n.trim());
                try (ReceiverReplicas run = new ReceiverReplicas(
                        xmpp,
                        replicas,
                        Path.of("target", "bench", mode + "-" + replicas),
                        ProxyProcess.TEST_JVM,
                        Map.of(
                                "senproxy.xmpp.address-replicas",
                                Boolean.toString(!mode.equals("bare")),
                                "senproxy.xmpp.replica-run",
                                mode.equals("each") ? "1" : "50"))) {
                    // warm-up: a few messages, so that the first connections and JIT are not in the figure
                    run.enqueue(50, records);
                    if (!run.awaitStoredAndAcked(50, Duration.ofSeconds(60))) {
                        throw new IllegalStateException("warm-up not done in 60 s");
                    }
                    double[] before = verified(run);
                    long cpuB = receiversCpu(run);
                    long cpuA = ProcessStats.cpuTicks(run.sender().pid());
                    long busy = ProcessStats.machineBusyTicks();
                    long commits = run.receiverCommits();
                    Path jfr = Path.of("target", "bench", mode + "-" + replicas);
                    if (Boolean.getBoolean("bench.jfr")) {
                        jfr(run, null);
                    }
                    long start = System.nanoTime();
                    run.enqueue(messages, records);
                    if (!run.awaitStoredAndAcked(50 + messages, Duration.ofSeconds(300))) {
                        throw new IllegalStateException("not all stored in 300 s");
                    }
                    double seconds = (System.nanoTime() - start) / 1e9;
                    if (Boolean.getBoolean("bench.jfr")) {
                        jfr(run, jfr.toAbsolutePath());
                    }
                    double tick = 1000.0 / ProcessStats.TICKS_PER_SECOND;
                    double msB = (receiversCpu(run) - cpuB) * tick / messages;
                    double msA = (ProcessStats.cpuTicks(run.sender().pid()) - cpuA) * tick / messages;
                    double busyPercent = (ProcessStats.machineBusyTicks() - busy) * tick / 10 / seconds;
                    // late copies (a message delivered to several replicas is verified by each) are counted too
                    Thread.sleep(2000);
                    double[] after = verified(run);
                    double commitsPer = (double) (run.receiverCommits() - commits) / messages;
                    // the replicas' fixed cost: their CPU over 5 s with nothing to receive (timers, housekeeping)
                    long idleFrom = receiversCpu(run);
                    Thread.sleep(5000);
                    double idlePercent = (receiversCpu(run) - idleFrom) * tick / 10 / 5.0;
                    StringBuilder per = new StringBuilder();
                    double sum = 0;
                    for (int i = 0; i < replicas; i++) {
                        double work = after[i] - before[i];
                        sum += work;
                        per.append(i == 0 ? "" : ", ").append(String.format("%.0f", work));
                    }
                    long[] sink = run.sinkRows();
                    String line = String.format(
                            "| %s | %d | %s | %.3f | %.0f | %.2f, %.2f | %.0f%% | %.0f%% of %d00%% | %.2f | %d | %d (%d) |",
                            switch (mode) {
                                case "bare" -> "B's bare JID";
                                case "each" -> "one replica of B, the next for each message";
                                default -> "one replica of B, runs of 50 messages";
                            },
                            replicas,
                            per,
                            sum / messages,
                            messages / seconds,
                            msB,
                            msA,
                            idlePercent,
                            busyPercent,
                            Runtime.getRuntime().availableProcessors(),
                            commitsPer,
                            run.resends(),
                            sink[0],
                            sink[1]);
                    System.out.println("REPLICAS " + line);
                    lines.add(line);
                }
            }
        }
        if (xmpp instanceof BenchEjabberd) {
            xmpp.stop();
        }
        Path report = Path.of("target", "bench", "replicas-" + server + ".md");
        Files.createDirectories(report.getParent());
        Files.write(report, lines);
        lines.forEach(System.out::println);
        System.exit(0);
    }

    /**
     * Flight recordings of A and each replica of B over the burst only, not the start-up and warm-up
     * ({@code -Dbench.jfr=true}): started with {@code folder} null, stopped and written to {@code <folder>/<process>.jfr}
     * (read with JfrTop).
     */
    private static void jfr(ReceiverReplicas run, Path folder) throws Exception {
        List<ProxyProcess> all = new ArrayList<>(run.receivers());
        all.add(run.sender());
        for (ProxyProcess p : all) {
            List<String> jcmd = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(), Long.toString(p.pid())));
            if (folder == null) {
                jcmd.addAll(List.of("JFR.start", "name=burst", "settings=profile"));
            } else {
                jcmd.addAll(List.of("JFR.stop", "name=burst", "filename=" + folder.resolve(p.name() + ".jfr")));
            }
            Process process = new ProcessBuilder(jcmd).redirectErrorStream(true).start();
            String out = new String(process.getInputStream().readAllBytes());
            if (process.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", jcmd) + ": " + out);
            }
        }
    }

    private static long receiversCpu(ReceiverReplicas run) {
        return run.receivers().stream()
                .mapToLong(p -> ProcessStats.cpuTicks(p.pid()))
                .sum();
    }

    private static double[] verified(ReceiverReplicas run) {
        List<ProxyProcess> receivers = run.receivers();
        double[] counts = new double[receivers.size()];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = ReceiverReplicas.verified(receivers.get(i));
        }
        return counts;
    }
}
