package org.senproxy.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.senproxy.senml.Senml;
import org.senproxy.senml.SenmlException;
import org.senproxy.transform.Transforms;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sen-proxy transform <name>}: runs one of the proxy's transforms on a payload read on stdin. */
@Command(
        name = "transform",
        mixinStandardHelpOptions = true,
        description = {
            "Reads a source payload on stdin, runs the transform <name> of the transforms/ folder"
                    + " (as its connector route does) and prints the SenML it produces.",
            "Exit status: 0 valid SenML; 2 the transform failed on this input or its output is not valid SenML"
                    + " (record index and field on stderr); 1 other errors (no such transform)."
        })
public final class TransformCommand implements Callable<Integer> {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "<name>",
            description = "file stem of the transform, e.g. ecodevices-to-senml")
    String name;

    @Option(
            names = {"-H", "--header"},
            paramLabel = "NAME=VALUE",
            description = "a header the transform reads with header(\"NAME\"), as its connector sets it")
    Map<String, String> headers = new LinkedHashMap<>();

    @Option(
            names = "--home",
            description = "the proxy's home folder (default: SENPROXY_HOME, else the working" + " directory)")
    Path home;

    @Option(names = "--resolve", description = "print the records resolved (absolute names and times)")
    boolean resolve;

    @Option(names = "--list", description = "list the transforms and exit")
    boolean list;

    @Override
    public Integer call() throws Exception {
        Cli.quietLogs();
        Path folder = Cli.home(home);
        try (Transforms transforms = new Transforms(folder)) {
            if (list) {
                transforms.names().forEach(spec.commandLine().getOut()::println);
                spec.commandLine().getOut().flush();
                return Cli.OK;
            }
            if (name == null) {
                spec.commandLine().getErr().println("Missing <name>: one of " + transforms.names());
                return Cli.FAILED;
            }
            String output;
            try {
                output = transforms.run(name, Cli.readAll(System.in), headers);
            } catch (IllegalArgumentException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return Cli.FAILED;
            } catch (Transforms.TransformException e) {
                spec.commandLine().getErr().println(e.getMessage());
                return Cli.INVALID;
            }
            try {
                var resolved = Senml.resolve(Senml.parseJson(output), System.currentTimeMillis() / 1000.0);
                String shown = resolve ? Senml.toJson(Senml.fromMeasurements(resolved)) : output;
                spec.commandLine()
                        .getOut()
                        .println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(shown)));
                spec.commandLine().getOut().flush();
                return Cli.OK;
            } catch (SenmlException e) {
                spec.commandLine().getErr().println("transform " + name + " produced invalid SenML: " + e.getMessage());
                spec.commandLine().getErr().println(output);
                return Cli.INVALID;
            }
        }
    }
}
