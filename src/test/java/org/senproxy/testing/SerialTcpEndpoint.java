package org.senproxy.testing;

import java.io.IOException;
import java.net.InetSocketAddress;

import org.apache.mina.core.filterchain.DefaultIoFilterChainBuilder;
import org.apache.mina.filter.codec.ProtocolCodecFilter;
import org.apache.mina.transport.socket.nio.NioSocketAcceptor;
import org.apache.vysper.mina.XmppIoHandlerAdapter;
import org.apache.vysper.mina.codec.XMPPProtocolCodecFactory;
import org.apache.vysper.xmpp.server.Endpoint;
import org.apache.vysper.xmpp.server.ServerRuntimeContext;

/**
 * Vysper's client endpoint ({@code org.apache.vysper.mina.TCPEndpoint}) with one I/O thread instead of one per core.
 * Vysper 0.7 decodes every connection's bytes with one shared, static {@code CharsetDecoder}
 * ({@code CharsetUtil.UTF8_DECODER}): with two connections receiving at once on two I/O threads, the decoder's state
 * is torn ("IllegalStateException: Current state = RESET, new state = CODING_END") and the server drops the
 * connection. Seen in the demo at a few hundred records a second. One I/O thread decodes one connection at a time.
 */
final class SerialTcpEndpoint implements Endpoint {

    private final int port;
    private ServerRuntimeContext context;
    private NioSocketAcceptor acceptor;

    SerialTcpEndpoint(int port) {
        this.port = port;
    }

    @Override
    public void setServerRuntimeContext(ServerRuntimeContext serverRuntimeContext) {
        this.context = serverRuntimeContext;
    }

    @Override
    public void start() throws IOException {
        NioSocketAcceptor serial = new NioSocketAcceptor(1);
        DefaultIoFilterChainBuilder filters = new DefaultIoFilterChainBuilder();
        filters.addLast("xmppCodec", new ProtocolCodecFilter(new XMPPProtocolCodecFactory()));
        serial.setFilterChainBuilder(filters);
        XmppIoHandlerAdapter handler = new XmppIoHandlerAdapter();
        handler.setServerRuntimeContext(context);
        serial.setHandler(handler);
        serial.setReuseAddress(true);
        serial.bind(new InetSocketAddress("127.0.0.1", port));
        acceptor = serial;
    }

    @Override
    public void stop() {
        acceptor.unbind();
        acceptor.dispose();
    }
}
