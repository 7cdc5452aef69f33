package org.senproxy.observe;

import java.time.Duration;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;

/**
 * The OpenTelemetry SDK behind camel-opentelemetry2's spans of every route, exporting over OTLP/HTTP (protobuf) to a
 * collector: on only when {@code senproxy.tracing.otlp-endpoint} is set. The spans name the routes and endpoints;
 * the correlation id of a batch is in the logs and rows, which is what follows it across proxies (XMPP messages carry
 * no trace context).
 *
 * <p>camel-opentelemetry2 looks for its {@link Tracer} and {@link ContextPropagators} in the registry when Camel Main
 * sets it up, before the proxy's beans exist: {@code ProxyApplication} binds them into Camel Main first.
 */
public final class OtlpTracing implements AutoCloseable {

    private final OpenTelemetrySdk sdk;

    /**
     * @param endpoint    the collector's OTLP/HTTP base URL, e.g. http://otel-collector:4318
     * @param serviceName service.name of the spans
     * @param instance    service.instance.id (the replica)
     */
    public OtlpTracing(String endpoint, String serviceName, String instance) {
        OtlpHttpSpanExporter exporter = OtlpHttpSpanExporter.builder()
                .setEndpoint(endpoint.replaceAll("/+$", "") + "/v1/traces")
                .setTimeout(Duration.ofSeconds(10))
                .build();
        Resource resource = Resource.getDefault()
                .merge(Resource.create(Attributes.of(
                        AttributeKey.stringKey("service.name"), serviceName,
                        AttributeKey.stringKey("service.instance.id"), instance)));
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder()
                        .setResource(resource)
                        .addSpanProcessor(BatchSpanProcessor.builder(exporter).build())
                        .build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
    }

    public Tracer tracer() {
        return sdk.getTracer("sen-proxy");
    }

    public ContextPropagators propagators() {
        return sdk.getPropagators();
    }

    /** Sends the spans still waiting, then stops. */
    @Override
    public void close() {
        sdk.close();
    }
}
