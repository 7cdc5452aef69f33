package org.senproxy.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.vysper.storage.inmemory.MemoryStorageProviderRegistry;
import org.apache.vysper.xmpp.addressing.EntityImpl;
import org.apache.vysper.xmpp.authorization.AccountManagement;
import org.apache.vysper.xmpp.server.XMPPServer;

/**
 * Apache Vysper, embedded: a real XMPP server (STARTTLS required, SASL PLAIN) in this JVM, with a
 * self-signed certificate for localhost made by the JDK's keytool. Accounts live in memory and survive a
 * stop/start of the server object. Vysper keeps no offline messages: what is sent to an absent account is lost,
 * which the proxies' end-to-end acknowledgements must cope with. Test and demo use only.
 */
public final class VysperTestServer implements XmppTestServer {

    private static final String PASSWORD = "changeit";

    private final MemoryStorageProviderRegistry storage = new MemoryStorageProviderRegistry();
    private final Path keyStore;
    private final int port;
    private XMPPServer server;

    public VysperTestServer() throws Exception {
        this.port = FreePort.next();
        this.keyStore = Files.createTempDirectory("senproxy-vysper").resolve("localhost.jks");
        createKeyStore(keyStore);
    }

    private static void createKeyStore(Path file) throws Exception {
        String keytool =
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        Process process = new ProcessBuilder(List.of(
                        keytool,
                        "-genkeypair",
                        "-alias",
                        "localhost",
                        "-keyalg",
                        "RSA",
                        "-keysize",
                        "2048",
                        "-dname",
                        "CN=localhost",
                        "-ext",
                        "san=dns:localhost",
                        "-validity",
                        "3650",
                        "-storetype",
                        "JKS",
                        "-keystore",
                        file.toString(),
                        "-storepass",
                        PASSWORD,
                        "-keypass",
                        PASSWORD))
                .redirectErrorStream(true)
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException(
                    "keytool failed: " + new String(process.getInputStream().readAllBytes()));
        }
    }

    @Override
    public String domain() {
        return "localhost";
    }

    @Override
    public String host() {
        return "127.0.0.1";
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path trustStore() {
        return keyStore;
    }

    @Override
    public String trustStorePassword() {
        return PASSWORD;
    }

    @Override
    public void register(String user, String password) throws Exception {
        AccountManagement accounts = (AccountManagement) storage.retrieve(AccountManagement.class);
        EntityImpl jid = EntityImpl.parseUnchecked(user + "@" + domain());
        if (accounts.verifyAccountExists(jid)) {
            accounts.changePassword(jid, password);
        } else {
            accounts.addUser(jid, password);
        }
    }

    @Override
    public synchronized void start() throws Exception {
        if (server != null) {
            return;
        }
        XMPPServer xmpp = new XMPPServer(domain());
        xmpp.setStorageProviderRegistry(storage);
        xmpp.addEndpoint(new SerialTcpEndpoint(port));
        xmpp.setTLSCertificateInfo(keyStore.toFile(), PASSWORD);
        xmpp.start();
        server = xmpp;
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            server.stop();
            server = null;
        }
    }
}
