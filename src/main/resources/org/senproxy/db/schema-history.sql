-- ProxySchema: whether the schema holds a Flyway history table (null when it does not).
SELECT to_regclass(:schema || '.flyway_schema_history')
