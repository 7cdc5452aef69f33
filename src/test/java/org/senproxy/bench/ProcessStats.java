package org.senproxy.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What the benchmark reads about processes from Linux itself: CPU time ({@code /proc/<pid>/stat}), resident memory
 * ({@code /proc/<pid>/status}), the bytes of the TCP connections to the XMPP server ({@code ss -tinp}, the kernel's
 * tcp_info: TLS bytes as on the wire), and the heap before and after each collection from a JVM's GC log.
 */
final class ProcessStats {

    /** Clock ticks per second of /proc's CPU times (getconf CLK_TCK; 100 on Linux/x86). */
    static final long TICKS_PER_SECOND = clockTicks();

    private ProcessStats() {}

    /**
     * CPU ticks (user + system) of a process, with those of its children it waited for (a PostgreSQL backend that
     * ended is counted in its postmaster), or -1 when the process is gone.
     */
    static long cpuTicks(long pid) {
        String[] f = statFields(pid);
        if (f == null) {
            return -1;
        }
        // fields after "(comm) ": state ppid ... utime(14) stime(15) cutime(16) cstime(17), 1-based over the line
        return Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14]);
    }

    /** CPU ticks of a process and of all its living children (PostgreSQL: the postmaster and its backends). */
    static long treeCpuTicks(long pid) {
        long total = Math.max(0, cpuTicks(pid));
        for (long child : children(pid)) {
            total += Math.max(0, cpuTicks(child));
        }
        return total;
    }

    /** Busy ticks of the whole machine, all cores (everything but idle and iowait), from /proc/stat. */
    static long machineBusyTicks() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long busy = 0;
            for (int i = 1; i < Math.min(f.length, 9); i++) {
                if (i != 4 && i != 5) { // idle, iowait
                    busy += Long.parseLong(f[i]);
                }
            }
            return busy;
        } catch (IOException e) {
            return -1;
        }
    }

    static List<Long> children(long pid) {
        List<Long> children = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            procs.map(p -> p.getFileName().toString())
                    .filter(n -> n.chars().allMatch(Character::isDigit))
                    .map(Long::parseLong)
                    .forEach(candidate -> {
                        String[] f = statFields(candidate);
                        if (f != null && Long.parseLong(f[1]) == pid) {
                            children.add(candidate);
                        }
                    });
        } catch (IOException e) {
            // no /proc: no children found
        }
        return children;
    }

    /** The first process whose command line holds all of {@code parts} (in any argument), if any. */
    static OptionalLong findProcess(String... parts) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.map(p -> p.getFileName().toString())
                    .filter(n -> n.chars().allMatch(Character::isDigit))
                    .filter(n -> {
                        try {
                            String cmd = new String(
                                            Files.readAllBytes(Path.of("/proc", n, "cmdline")), StandardCharsets.UTF_8)
                                    .replace('\0', ' ');
                            for (String part : parts) {
                                if (!cmd.contains(part)) {
                                    return false;
                                }
                            }
                            return !cmd.isBlank();
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .mapToLong(Long::parseLong)
                    .sorted()
                    .findFirst();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /** A value of /proc/<pid>/status in KiB (VmHWM: peak resident set; VmRSS: resident now), or -1. */
    static long statusKib(long pid, String key) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(key + ":")) {
                    return Long.parseLong(
                            line.substring(key.length() + 1).trim().split("\\s+")[0]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
        return -1;
    }

    /** Bytes sent and received on a process's established TCP connections to a port. */
    record Wire(long sent, long received) {
        Wire minus(Wire before) {
            return new Wire(sent - before.sent, received - before.received);
        }

        long total() {
            return sent + received;
        }
    }

    private static final Pattern SS_PID = Pattern.compile("pid=(\\d+)");
    private static final Pattern SS_SENT = Pattern.compile("bytes_sent:(\\d+)");
    private static final Pattern SS_RECEIVED = Pattern.compile("bytes_received:(\\d+)");

    /** Per process id, the bytes of its connections to {@code port} (ss needs root to name the processes). */
    static Map<Long, Wire> wire(int port) {
        Map<Long, Wire> byPid = new HashMap<>();
        try {
            Process ss = new ProcessBuilder("ss", "-tinpH", "state", "established", "( dport = :" + port + " )")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            ss.waitFor(10, TimeUnit.SECONDS);
            long pid = -1;
            for (String line : out.split("\n")) {
                Matcher p = SS_PID.matcher(line);
                if (p.find()) {
                    pid = Long.parseLong(p.group(1));
                    continue;
                }
                Matcher s = SS_SENT.matcher(line);
                if (pid > 0 && s.find()) {
                    Matcher r = SS_RECEIVED.matcher(line);
                    long received = r.find() ? Long.parseLong(r.group(1)) : 0;
                    long sent = Long.parseLong(s.group(1));
                    byPid.merge(
                            pid,
                            new Wire(sent, received),
                            (a, b) -> new Wire(a.sent + b.sent, a.received + b.received));
                    pid = -1;
                }
            }
        } catch (IOException e) {
            // no ss: no wire figures
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return byPid;
    }

    static Wire wire(Map<Long, Wire> byPid, long pid) {
        return byPid.getOrDefault(pid, new Wire(0, 0));
    }

    /**
     * Heap figures of a JVM from its {@code -Xlog:gc} file: MiB before and after each collection, pause time. G1's young
     * collections leave the old generation's garbage for a later mixed one, so the largest heap after a collection is
     * not the live set; the median after a collection comes closer.
     */
    record Heap(
            long maxBeforeMib,
            long maxAfterMib,
            long medianAfterMib,
            long maxCommittedMib,
            int collections,
            double pauseMillis) {}

    private static final Pattern GC_LINE = Pattern.compile("(\\d+)M->(\\d+)M\\((\\d+)M\\)\\s+([\\d.]+)ms");

    static Heap heap(Path gcLog) {
        long before = 0;
        long after = 0;
        long committed = 0;
        int collections = 0;
        double pause = 0;
        List<Long> afters = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find()) {
                    before = Math.max(before, Long.parseLong(m.group(1)));
                    after = Math.max(after, Long.parseLong(m.group(2)));
                    afters.add(Long.parseLong(m.group(2)));
                    committed = Math.max(committed, Long.parseLong(m.group(3)));
                    collections++;
                    if (line.contains("Pause")) {
                        pause += Double.parseDouble(m.group(4));
                    }
                }
            }
        } catch (IOException e) {
            // no log
        }
        afters.sort(null);
        long median = afters.isEmpty() ? 0 : afters.get(afters.size() / 2);
        return new Heap(before, after, median, committed, collections, pause);
    }

    /** The heap after each collection so far, in MiB, in the order of the GC log. */
    static List<Long> heapAfters(Path gcLog) {
        List<Long> afters = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(gcLog)) {
                Matcher m = GC_LINE.matcher(line);
                if (m.find()) {
                    afters.add(Long.parseLong(m.group(2)));
                }
            }
        } catch (IOException e) {
            // no log yet
        }
        return afters;
    }

    /** The process's open file descriptors (files, sockets, pipes). */
    static long openFiles(long pid) {
        try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return fds.count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static String[] statFields(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static long clockTicks() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            p.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | RuntimeException e) {
            return 100;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 100;
        }
    }
}
