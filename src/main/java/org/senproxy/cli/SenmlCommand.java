package org.senproxy.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;

import org.senproxy.senml.Measurement;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlException;
import org.senproxy.senml.SenmlRecord;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sen-proxy senml resolve|validate}: check and resolve SenML packs read on standard input. */
@Command(
        name = "senml",
        mixinStandardHelpOptions = true,
        description = "Checks and resolves SenML (RFC 8428) packs read on standard input.",
        subcommands = {SenmlCommand.Resolve.class, SenmlCommand.Validate.class})
public final class SenmlCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.missingSubcommand(spec);
    }

    /** SenML's representations (RFC 8428 sections 5 to 7), as read or written. */
    public enum Format {
        json,
        xml,
        cbor
    }

    static final String EXIT_CODES =
            "Exit status: 0 valid; 2 invalid, with the record index and the field on stderr;" + " 1 other errors.";

    abstract static class PackCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(
                names = "--from",
                defaultValue = "json",
                description = "input format: ${COMPLETION-CANDIDATES}" + " (default ${DEFAULT-VALUE})")
        Format from;

        @Option(
                names = "--now",
                description = "\"now\" in seconds since the epoch, for relative times" + " (default: the current time)")
        Double now;

        List<Measurement> readAndResolve() throws Exception {
            byte[] input = System.in.readAllBytes();
            List<SenmlRecord> records = switch (from) {
                case json -> Senml.parseJson(input);
                case xml -> Senml.parseXml(new String(input, StandardCharsets.UTF_8));
                case cbor -> Senml.parseCbor(input);
            };
            return Senml.resolve(records, now != null ? now : System.currentTimeMillis() / 1000.0);
        }

        @Override
        public Integer call() throws Exception {
            Cli.quietLogs();
            try {
                return print(readAndResolve(), spec.commandLine().getOut());
            } catch (SenmlException e) {
                spec.commandLine().getErr().println("invalid SenML: " + e.getMessage());
                return Cli.INVALID;
            }
        }

        abstract int print(List<Measurement> resolved, PrintWriter out);
    }

    @Command(
            name = "resolve",
            mixinStandardHelpOptions = true,
            description = {
                "Reads a SenML pack on stdin and prints it resolved: absolute names and times,"
                        + " no base fields, in chronological order.",
                EXIT_CODES
            })
    static final class Resolve extends PackCommand {
        @Option(
                names = "--to",
                defaultValue = "json",
                description = "output format: ${COMPLETION-CANDIDATES}"
                        + " (default ${DEFAULT-VALUE}; cbor is binary, for a file or a pipe)")
        Format to;

        @Override
        int print(List<Measurement> resolved, PrintWriter out) {
            List<SenmlRecord> records = Senml.fromMeasurements(resolved);
            if (to == Format.cbor) {
                byte[] cbor = Senml.toCbor(records);
                System.out.write(cbor, 0, cbor.length);
                System.out.flush();
                return Cli.OK;
            }
            out.println(to == Format.xml ? Senml.toXml(records) : Senml.toJson(records));
            out.flush();
            return Cli.OK;
        }
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            description = {"Reads a SenML pack on stdin and checks it (syntax and RFC 8428 rules).", EXIT_CODES})
    static final class Validate extends PackCommand {
        @Override
        int print(List<Measurement> resolved, PrintWriter out) {
            out.println("valid SenML: " + resolved.size() + " record(s)");
            out.flush();
            return Cli.OK;
        }
    }
}
