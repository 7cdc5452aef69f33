package org.senproxy.outbox;

import java.util.List;
import java.util.UUID;

import org.senproxy.senml.Measurement;

/** A message about to enter the outbox: one SenML pack for one subscription. */
public record OutboxEntry(UUID messageId, Subscription subscription, List<Measurement> records) {}
