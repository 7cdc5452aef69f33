-- The last value seen of each cumulative index series (records named .../index), per source connector, so that an
-- index that goes down (meter replaced, rollover) is flagged instead of being read as a negative consumption.
-- Updated in the transaction that writes the records to the outbox.
CREATE TABLE index_state (
    source text NOT NULL,
    name   text NOT NULL,
    value  double precision NOT NULL,
    time   double precision NOT NULL,             -- SenML time of that value, seconds since the epoch
    PRIMARY KEY (source, name)
);
