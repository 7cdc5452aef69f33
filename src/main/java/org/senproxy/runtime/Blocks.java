package org.senproxy.runtime;

import java.nio.file.Path;

import org.apache.camel.CamelContext;
import org.apache.camel.component.kamelet.KameletComponent;

/**
 * The connectors' building blocks, in the home folder's {@code kamelets/}: Kamelets ({@code <name>.kamelet.yaml},
 * steps a connector calls with {@code kamelet:<name>}) and route templates ({@code <name>.camel.yaml}, whole routes a
 * connector makes with {@code templatedRoute}, loaded with the proxy's own routes).
 */
public final class Blocks {

    /** The folder of the building blocks under the proxy's home folder. */
    public static final String FOLDER = "kamelets";

    private Blocks() {}

    /**
     * Camel's kamelet component reads the Kamelets from {@code <home>/kamelets} (not from the class path), and a
     * Kamelet has no error handler of its own: a step that fails in it fails the connector's route, whose error
     * handling (source-errors...) tries it again and names the connector, as when the step was written in it.
     */
    public static void configure(CamelContext context, String home) {
        KameletComponent kamelets = context.getComponent("kamelet", KameletComponent.class);
        kamelets.setLocation(
                "file:" + Path.of(home).resolve(FOLDER).toAbsolutePath().normalize());
        kamelets.setNoErrorHandler(true);
    }
}
