package org.senproxy.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a proxy's time goes, from a flight recording of the benchmark ({@code -Dbench.jfr=true} writes
 * target/bench/&lt;variant&gt;-a.jfr and -b.jfr): CPU samples by thread, by package and by method (self: the top
 * frame; total: anywhere on the stack), and, from the same recording, time spent blocked reading sockets and
 * waiting for monitors, by thread; and CPU seconds by thread from the recording's thread CPU loads (every thread, not
 * only those in Java code when sampled), with the GC's pauses.
 *
 * <pre>java -cp target/test-classes:target/sen-proxy.jar org.senproxy.bench.JfrTop target/bench/mqtt-b.jfr [rows]</pre>
 */
public final class JfrTop {

    private JfrTop() {}

    public static void main(String[] args) throws Exception {
        int rows = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        List<RecordedEvent> events = RecordingFile.readAllEvents(Path.of(args[0]));
        Map<String, Long> byThread = new HashMap<>();
        Map<String, Long> byPackage = new HashMap<>();
        Map<String, Long> self = new HashMap<>();
        Map<String, Long> total = new HashMap<>();
        Map<String, Double> socketRead = new HashMap<>();
        Map<String, Double> blocked = new HashMap<>();
        Map<String, Double> cpuSeconds = new HashMap<>();
        Map<Long, Instant> lastLoad = new HashMap<>();
        double gcSeconds = 0;
        long gcs = 0;
        int cpus = Runtime.getRuntime().availableProcessors();
        long samples = 0;
        for (RecordedEvent e : events) {
            String type = e.getEventType().getName();
            String thread = thread(e);
            switch (type) {
                case "jdk.ExecutionSample" -> {
                    RecordedStackTrace stack = e.getStackTrace();
                    if (stack == null || stack.getFrames().isEmpty()) {
                        continue;
                    }
                    samples++;
                    byThread.merge(thread, 1L, Long::sum);
                    RecordedFrame top = stack.getFrames().get(0);
                    self.merge(method(top), 1L, Long::sum);
                    byPackage.merge(packageOf(top), 1L, Long::sum);
                    Set<String> seen = new HashSet<>();
                    for (RecordedFrame f : stack.getFrames()) {
                        String m = method(f);
                        if (seen.add(m)) {
                            total.merge(m, 1L, Long::sum);
                        }
                    }
                }
                case "jdk.ThreadCPULoad" -> {
                    // a thread's share of the whole machine (all cores) since its previous event: CPU seconds over the
                    // interval, whether the thread ran Java, native code or nothing the sampler could see
                    RecordedThread t = e.getThread("eventThread");
                    if (t != null) {
                        Instant previous = lastLoad.put(t.getId(), e.getStartTime());
                        if (previous != null) {
                            double interval =
                                    Duration.between(previous, e.getStartTime()).toNanos() / 1e9;
                            cpuSeconds.merge(
                                    thread(e),
                                    (e.getFloat("user") + e.getFloat("system")) * interval * cpus,
                                    Double::sum);
                        }
                    }
                }
                case "jdk.GarbageCollection" -> {
                    gcSeconds += e.getDuration().toNanos() / 1e9;
                    gcs++;
                }
                case "jdk.SocketRead" ->
                    socketRead.merge(thread, e.getDuration().toNanos() / 1e9, Double::sum);
                case "jdk.JavaMonitorEnter", "jdk.ThreadPark", "jdk.JavaMonitorWait" ->
                    blocked.merge(
                            thread + " (" + type.substring(4) + ")",
                            e.getDuration().toNanos() / 1e9,
                            Double::sum);
                default -> {}
            }
        }
        System.out.printf("%s: %,d CPU samples%n", args[0], samples);
        print("CPU samples by thread", byThread, samples, rows, Function.identity());
        print("CPU samples by package (top frame)", byPackage, samples, rows, Function.identity());
        print("CPU samples by method, self", self, samples, rows, Function.identity());
        print("CPU samples by method, total (on the stack)", filter(total), samples, rows, Function.identity());
        printSeconds(
                "CPU seconds by thread (jdk.ThreadCPULoad, between each thread's events; run on the recording's"
                        + " machine, " + cpus + " cores)",
                cpuSeconds,
                rows);
        System.out.printf(
                "  %7.1f s  all threads above; GC: %,d collections, %.1f s of pauses%n",
                cpuSeconds.values().stream().mapToDouble(Double::doubleValue).sum(), gcs, gcSeconds);
        printSeconds("seconds blocked in socket reads (>20 ms each), by thread", socketRead, rows);
        printSeconds("seconds parked or waiting for a monitor (>20 ms each), by thread", blocked, rows);
    }

    /** Total time: the proxy's own code, the database driver, Smack and Camel's processors, not the JDK's plumbing. */
    private static Map<String, Long> filter(Map<String, Long> total) {
        Map<String, Long> kept = new HashMap<>();
        total.forEach((m, n) -> {
            if (m.startsWith("org.senproxy")
                    || m.startsWith("org.postgresql")
                    || m.startsWith("org.jivesoftware")
                    || m.startsWith("com.nimbusds")
                    || m.startsWith("net.thisptr")
                    || m.startsWith("org.apache.camel.component")
                    || m.startsWith("com.fasterxml")) {
                kept.put(m, n);
            }
        });
        return kept;
    }

    private static void print(
            String title, Map<String, Long> counts, long samples, int rows, Function<String, String> name) {
        System.out.println("\n" + title);
        sorted(counts, rows)
                .forEach((k, v) -> System.out.printf("  %5.1f%%  %s%n", 100.0 * v / samples, name.apply(k)));
    }

    private static void printSeconds(String title, Map<String, Double> seconds, int rows) {
        System.out.println("\n" + title);
        seconds.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(rows)
                .forEach(e -> System.out.printf("  %7.1f s  %s%n", e.getValue(), e.getKey()));
    }

    private static <V extends Comparable<V>> Map<String, V> sorted(Map<String, V> map, int rows) {
        Map<String, V> out = new LinkedHashMap<>();
        map.entrySet().stream()
                .sorted(Map.Entry.<String, V>comparingByValue().reversed())
                .limit(rows)
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    private static String thread(RecordedEvent e) {
        RecordedThread t = e.hasField("sampledThread") ? e.getThread("sampledThread") : e.getThread();
        if (t == null) {
            return "?";
        }
        // pools number their threads: one line per pool
        return t.getJavaName() == null ? "?" : t.getJavaName().replaceAll("[-#]?\\d+$", "-N");
    }

    private static String method(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String packageOf(RecordedFrame f) {
        String type = f.getMethod().getType().getName();
        String[] parts = type.split("\\.");
        return parts.length > 3 ? String.join(".", parts[0], parts[1], parts[2]) : type;
    }
}
