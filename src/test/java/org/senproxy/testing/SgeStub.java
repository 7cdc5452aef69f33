package org.senproxy.testing;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A local stand-in for the Enedis SGE Tiers ConsultationMesuresDetaillees v2.0 SOAP service, fed from the real
 * exchanges of ../shared/fixtures/sge: a request whose {@code demande} matches a fixture's request field by field
 * (point, measure type, quantity, sides, dates) gets that fixture's response; any other gets a SOAP fault (HTTP 500)
 * as SGE answers when the caller has no access to the point.
 */
public final class SgeStub implements AutoCloseable {

    public static final String PATH = "/ConsultationMesuresDetaillees/v2.0";
    private static final Pattern FIELD = Pattern.compile("<(\\w+)>([^<]*)</\\1>");
    private static final List<String> COMPARED =
            List.of("pointId", "mesuresTypeCode", "grandeurPhysique", "soutirage", "injection", "dateDebut", "dateFin");
    private static final String FAULT = "<?xml version=\"1.0\" ?>\n"
            + "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><soap:Fault>"
            + "<faultcode>soap:Server</faultcode>"
            + "<faultstring>SGT4G3: Le point n'existe pas ou n'est pas accessible.</faultstring>"
            + "<detail><ns2:erreur xmlns:ns2=\"http://www.enedis.fr/sge/b2b/technique/v1.0\">"
            + "<resultat code=\"SGT4G3\">Le point n'existe pas ou n'est pas accessible.</resultat></ns2:erreur></detail>"
            + "</soap:Fault></soap:Body></soap:Envelope>";

    private final HttpServer server;
    private final Map<Map<String, String>, Path> responses = new LinkedHashMap<>();
    private final List<Map<String, String>> requests = Collections.synchronizedList(new ArrayList<>());

    public SgeStub() throws IOException {
        Path shared = Path.of("..", "shared", "fixtures", "sge", "ConsultationMesuresDetaillees");
        Path root = Files.isDirectory(shared)
                ? shared
                : Path.of("src", "test", "resources", "fixtures", "sge", "ConsultationMesuresDetaillees");
        try (var cases = Files.list(root)) {
            for (Path folder : cases.sorted().toList()) {
                if (Files.isRegularFile(folder.resolve("response.xml"))) {
                    responses.put(
                            demande(Files.readString(folder.resolve("request.xml"))), folder.resolve("response.xml"));
                }
            }
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext(PATH, this::handle);
        server.start();
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + PATH;
    }

    /** The compared fields of each request received, in order. */
    public List<Map<String, String>> requests() {
        synchronized (requests) {
            return List.copyOf(requests);
        }
    }

    private static Map<String, String> demande(String xml) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher m = FIELD.matcher(xml.substring(xml.indexOf("<demande>")));
        while (m.find()) {
            if (COMPARED.contains(m.group(1))) {
                fields.put(m.group(1), m.group(2).trim());
            }
        }
        return fields;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String request = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Map<String, String> fields = demande(request);
        requests.add(fields);
        Path response = responses.get(fields);
        byte[] body = response != null ? Files.readAllBytes(response) : FAULT.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/xml; charset=utf-8");
        exchange.sendResponseHeaders(response != null ? 200 : 500, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
