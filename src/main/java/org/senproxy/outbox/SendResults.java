package org.senproxy.outbox;

import java.util.ArrayList;
import java.util.List;

import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultExchange;
import org.senproxy.delivery.Reasons;

/**
 * Collects the outcome of each message of a dispatch split into a {@code List<SendResult>}, so that the
 * outbox records all outcomes of a batch at once. Each split exchange carries the row id and attempt count
 * in headers {@value #OUTBOX_ID} and {@value #ATTEMPTS}; a failure is the exception internal-errors
 * caught in outbox-dispatch-write (routes/errors.camel.yaml).
 */
public class SendResults implements AggregationStrategy {

    public static final String OUTBOX_ID = "SenproxyOutboxId";
    public static final String ATTEMPTS = "SenproxyAttempts";

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange collected, Exchange next) {
        // the first part is not the result: a part whose write failed was handled by internal-errors, and as the
        // split's result it would stop outbox-dispatch before recordSendResults
        Exchange target = collected == null ? new DefaultExchange(next.getContext()) : collected;
        List<SendResult> results =
                collected == null ? new ArrayList<>() : target.getIn().getBody(List.class);
        Throwable error = next.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (error == null) {
            error = next.getException();
        }
        results.add(new SendResult(
                next.getIn().getHeader(OUTBOX_ID, Long.class),
                next.getIn().getHeader(ATTEMPTS, 0, Integer.class),
                error == null ? null : Reasons.of(error)));
        target.getIn().setBody(results);
        return target;
    }
}
