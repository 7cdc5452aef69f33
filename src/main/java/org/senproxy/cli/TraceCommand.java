package org.senproxy.cli;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import javax.sql.DataSource;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.senproxy.observe.Trace;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sen-proxy trace}: where did this batch, this message or this record go? */
@Command(
        name = "trace",
        mixinStandardHelpOptions = true,
        description = {
            "Shows the path of a record batch through this proxy's tables (outbox, inbox, dead letters)"
                    + " and, with --peer-db-url, through the other proxy's: when each row was written, sent,"
                    + " acknowledged, delivered, its attempts and its last error.",
            "Find the batch by its correlation id or a message id (in every log line as corr=..., and in the"
                    + " rows), or by one of its records: --series NAME --at TIME.",
            "The database is the proxy's own (senproxy.db.url, .user, .password from application.properties or"
                    + " the environment, as the proxy reads them).",
            "Exit status: 0 found; 1 nothing found, or the database cannot be read; 2 bad arguments."
        })
public final class TraceCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @ArgGroup(exclusive = true, multiplicity = "1")
    What what;

    static final class What {
        @Parameters(paramLabel = "<id>", description = "a correlation id or a message id")
        String id;

        @ArgGroup(exclusive = false)
        Record record;
    }

    static final class Record {
        @Option(
                names = "--series",
                required = true,
                description = "a record's full name, e.g." + " urn:dev:prm:09111642617347_consumption/power/active/raw")
        String series;

        @Option(
                names = "--at",
                required = true,
                description = "the record's time: ISO 8601 (2026-11-25T00:30:00Z)" + " or seconds since the epoch")
        String at;
    }

    @Mixin
    ProxyDatabase database;

    @Option(
            names = "--peer-db-url",
            description = "the other proxy's database, to show both halves of the path;"
                    + " its user is --peer-db-user, its password the environment variable SENPROXY_PEER_DB_PASSWORD")
    String peerDbUrl;

    @Option(names = "--peer-db-user", defaultValue = "senproxy", description = "(default ${DEFAULT-VALUE})")
    String peerDbUser;

    @Option(names = "--json", description = "one JSON object per stop instead of text lines")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Cli.quietLogs();
        Double time = null;
        if (what.record != null) {
            time = seconds(what.record.at);
            if (time == null) {
                spec.commandLine()
                        .getErr()
                        .println("--at: not an ISO 8601 instant nor epoch seconds: " + what.record.at);
                return Cli.INVALID;
            }
        }
        List<Trace.Hop> hops = new ArrayList<>();
        try {
            hops.addAll(hops("this proxy", database.migrated(), time));
            if (peerDbUrl != null) {
                hops.addAll(hops(
                        "peer",
                        ProxyDatabase.dataSource(peerDbUrl, peerDbUser, System.getenv("SENPROXY_PEER_DB_PASSWORD")),
                        time));
            }
        } catch (SQLException e) {
            spec.commandLine().getErr().println("Cannot read the database: " + e.getMessage());
            return Cli.FAILED;
        }
        hops.sort(Comparator.comparing(Trace.Hop::at));
        PrintWriter out = spec.commandLine().getOut();
        if (hops.isEmpty()) {
            spec.commandLine()
                    .getErr()
                    .println("Nothing found for "
                            + (what.id != null ? what.id : what.record.series + " at " + what.record.at));
            return Cli.FAILED;
        }
        for (Trace.Hop hop : hops) {
            out.println(json ? JSON.writeValueAsString(fields(hop)) : line(hop));
        }
        out.flush();
        return Cli.OK;
    }

    private List<Trace.Hop> hops(String proxy, DataSource dataSource, Double time) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return what.id != null ? Trace.byId(c, proxy, what.id) : Trace.byRecord(c, proxy, what.record.series, time);
        }
    }

    private static Map<String, Object> fields(Trace.Hop hop) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("at", hop.at().toString());
        fields.put("proxy", hop.proxy());
        fields.put("table", hop.table());
        fields.put("messageId", hop.messageId());
        fields.put("correlationId", hop.correlationId());
        fields.put("peer", hop.peer());
        fields.put("records", hop.records());
        fields.put("status", hop.status());
        fields.put("attempts", hop.attempts());
        fields.put("detail", hop.detail());
        return fields;
    }

    private static String line(Trace.Hop hop) {
        return String.format(
                "%-27s %-10s %-11s message %s %s%s, %s; corr %s",
                hop.at(),
                hop.proxy(),
                hop.table(),
                hop.messageId(),
                hop.peer(),
                hop.records() == null ? "" : ", " + hop.records() + " record(s)",
                hop.detail(),
                hop.correlationId());
    }

    private static Double seconds(String at) {
        try {
            Instant instant = Instant.parse(at);
            return instant.getEpochSecond() + instant.getNano() / 1e9;
        } catch (DateTimeParseException e) {
            try {
                return Double.parseDouble(at);
            } catch (NumberFormatException notANumber) {
                return null;
            }
        }
    }
}
