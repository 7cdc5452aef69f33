package org.senproxy.outbox;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.senproxy.delivery.Reasons;

/**
 * Collects the outcome of each message of a dispatch split into a {@code List<SendResult>}, so that the
 * outbox records all outcomes of a batch at once. Each split exchange carries the row id and attempt count
 * in headers {@value #OUTBOX_ID} and {@value #ATTEMPTS}; a failure is the exception its doCatch caught.
 */
public class SendResults implements AggregationStrategy {

    public static final String OUTBOX_ID = "SenproxyOutboxId";
    public static final String ATTEMPTS = "SenproxyAttempts";

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange collected, Exchange next) {
        Exchange target = collected == null ? next : collected;
        List<SendResult> results = collected == null ? new ArrayList<>() : target.getIn().getBody(List.class);
        Throwable error = next.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (error == null) {
            error = next.getException();
        }
        results.add(new SendResult(next.getIn().getHeader(OUTBOX_ID, Long.class),
                next.getIn().getHeader(ATTEMPTS, 0, Integer.class), error == null ? null : Reasons.of(error)));
        target.getIn().setBody(results);
        return target;
    }
}
