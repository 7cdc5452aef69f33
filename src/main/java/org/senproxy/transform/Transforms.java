package org.senproxy.transform;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.xml.XmlMapper;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.DefaultExchange;

/**
 * Runs the mappings of a proxy's {@code transforms/} folder outside a route, exactly as a connector route runs
 * them (same Camel language, same {@code header("...")} function), for the {@code transform} command and the
 * transforms' golden tests. An XML input is first read into a tree, as the connector's {@code unmarshal: jacksonXml}
 * step does. A transform is named by its file stem: {@code ecodevices-to-senml} is
 * {@code transforms/ecodevices-to-senml.jq}.
 */
public final class Transforms implements AutoCloseable {

    /** File extension -> Camel language. One family per input kind: jq for JSON sources. */
    private static final Map<String, String> LANGUAGES = Map.of("jq", "jq");

    private static final XmlMapper XML = new XmlMapper();

    private final Path folder;
    private final CamelContext context = new DefaultCamelContext();

    public Transforms(Path home) {
        this.folder = home.resolve("transforms").toAbsolutePath().normalize();
        bindFunctions(context.getRegistry());
        context.start();
    }

    /**
     * The jq functions sen-proxy adds to camel-jq's (which finds them in the registry): {@code localtime(zone)} and
     * {@code daylength(zone)}.
     */
    public static void bindFunctions(Registry registry) {
        registry.bind(LocalTimeFunction.NAME, new LocalTimeFunction());
        registry.bind(DayLengthFunction.NAME, new DayLengthFunction());
    }

    /** The names of the transforms in the folder. */
    public List<String> names() throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(f -> LANGUAGES.containsKey(extension(f)))
                    .map(f -> f.substring(0, f.lastIndexOf('.')))
                    .sorted()
                    .toList();
        }
    }

    /**
     * Runs transform {@code name} on {@code input} with the given headers (what the connector route would set).
     *
     * @return the transform's output as text (JSON for a SenML transform)
     * @throws IllegalArgumentException when there is no transform of that name
     * @throws TransformException       when the transform fails on this input
     */
    public String run(String name, String input, Map<String, String> headers) {
        Path file = file(name);
        String language = LANGUAGES.get(extension(file.getFileName().toString()));
        Expression expression = context.resolveLanguage(language).createExpression("resource:file:" + file);
        expression.init(context);
        Exchange exchange = new DefaultExchange(context);
        exchange.getMessage().setBody(input.stripLeading().startsWith("<") ? fromXml(name, input) : input);
        headers.forEach(exchange.getMessage()::setHeader);
        Object result;
        try {
            result = expression.evaluate(exchange, Object.class);
        } catch (RuntimeException e) {
            throw new TransformException(name, e);
        }
        if (exchange.getException() != null) {
            throw new TransformException(name, exchange.getException());
        }
        return context.getTypeConverter().convertTo(String.class, exchange, result);
    }

    /**
     * An XML input (a SOAP answer) read into a tree the way a connector's {@code unmarshal: jacksonXml} step reads
     * it, so its transform sees here what it sees in the route.
     */
    private static JsonNode fromXml(String name, String xml) {
        try {
            return XML.readTree(xml);
        } catch (IOException e) {
            throw new TransformException(name, e);
        }
    }

    private Path file(String name) {
        for (String extension : LANGUAGES.keySet()) {
            Path file = folder.resolve(name + "." + extension);
            if (name.indexOf('/') < 0 && Files.isRegularFile(file)) {
                return file;
            }
        }
        throw new IllegalArgumentException("no transform named '" + name + "' in " + folder);
    }

    private static String extension(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot < 0 ? "" : fileName.substring(dot + 1);
    }

    @Override
    public void close() {
        context.stop();
    }

    /** A transform that failed on its input; the message names the transform and the first cause. */
    public static final class TransformException extends RuntimeException {
        TransformException(String name, Throwable cause) {
            super("transform " + name + " failed: " + rootMessage(cause), cause);
        }

        private static String rootMessage(Throwable e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
            int newline = message.indexOf('\n');
            return newline < 0 ? message : message.substring(0, newline);
        }
    }
}
