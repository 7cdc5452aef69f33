package org.senproxy.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP link on a port of its own to a real server (e.g. the test PostgreSQL), that a test cuts and restores: cut,
 * every connection through it is closed and new ones are refused, as when the server goes down or the network between
 * fails; restored, it listens again on the same port. What one client of a shared server sees when only its own way to
 * the server breaks, the server and its other clients going on.
 */
public final class TcpForwarder implements AutoCloseable {

    private final int port = FreePort.next();
    private final int target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile ServerSocket listener;

    /** Starts forwarding port {@link #port} to {@code target} on the loopback interface. */
    public TcpForwarder(int target) throws IOException {
        this.target = target;
        restore();
    }

    public int port() {
        return port;
    }

    /** {@code url} (a JDBC URL to localhost:{@code target}) through this link. */
    public String through(String url) {
        String to = "localhost:" + target + "/";
        if (!url.contains(to)) {
            throw new IllegalArgumentException(url + " is not on port " + target);
        }
        return url.replace(to, "localhost:" + port + "/");
    }

    /** Closes every connection through the link and refuses new ones until {@link #restore}. */
    public synchronized void cut() throws IOException {
        ServerSocket s = listener;
        listener = null;
        if (s != null) {
            s.close();
        }
        for (Socket socket : List.copyOf(open)) {
            close(socket);
        }
    }

    /** Listens again (on the same port). */
    public synchronized void restore() throws IOException {
        if (listener != null) {
            return;
        }
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        listener = s;
        Thread accept = new Thread(() -> accept(s), "forwarder-" + port);
        accept.setDaemon(true);
        accept.start();
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), target);
                client.setTcpNoDelay(true);
                server.setTcpNoDelay(true);
                open.add(client);
                open.add(server);
                pump(client, server);
                pump(server, client);
            } catch (IOException e) {
                // closed by cut(), or one connection failed: the client sees it as its server's failure
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(
                () -> {
                    byte[] buffer = new byte[16384];
                    try (InputStream in = from.getInputStream();
                            OutputStream out = to.getOutputStream()) {
                        int n;
                        while ((n = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, n);
                        }
                    } catch (IOException e) {
                        // cut, or closed by one side
                    } finally {
                        close(from);
                        close(to);
                    }
                },
                "forwarder-" + port + "-pump");
        t.setDaemon(true);
        t.start();
    }

    private void close(Socket socket) {
        open.remove(socket);
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        cut();
    }
}
