package org.senproxy.runtime;

import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpEngine;

/**
 * The platform-http engine of the routes served by Camel Main's HTTP server (the status page), told its port.
 *
 * <p>Camel 4.17's engine finds the port by looking for the one Vert.x HTTP server in the registry; with the
 * management server (metrics, health) running beside it there are two, the lookup finds none, and the engine falls
 * back to 8080: with any other camel.server.port, the routes would not start ("No PlatformHttpEngine created and setup
 * in registry with name: platform-http-router-8080").
 */
public final class StatusServerEngine extends VertxPlatformHttpEngine {

    private final int port;

    public StatusServerEngine(int port) {
        this.port = port;
    }

    @Override
    public int getServerPort() {
        return port;
    }
}
