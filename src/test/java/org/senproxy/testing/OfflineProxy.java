package org.senproxy.testing;

import java.util.HashMap;
import java.util.Map;

/** Settings of a proxy that runs in this JVM with a fresh database and no XMPP server (nothing listens on port 1). */
public final class OfflineProxy {

    private OfflineProxy() {}

    /** A mutable map: add the connectors and settings the test needs. */
    public static Map<String, String> settings(String jid) {
        Map<String, String> settings = new HashMap<>();
        settings.put(
                "senproxy.db.url",
                TestPostgres.newDatabase(jid.substring(0, jid.indexOf('@')).replace('-', '_')));
        settings.put("senproxy.db.user", "postgres");
        settings.put("senproxy.xmpp.jid", jid);
        settings.put("senproxy.xmpp.password", "not-used-here");
        settings.put("senproxy.xmpp.host", "127.0.0.1");
        settings.put("senproxy.xmpp.port", "1");
        settings.put("camel.management.port", Integer.toString(FreePort.next()));
        settings.put("camel.server.port", Integer.toString(FreePort.next()));
        return settings;
    }
}
