# Rows of a SQL query (camel-sql: a list of column -> value maps) -> SenML records.
# Each row has series (text), time (a timestamp, which arrives as epoch milliseconds), value (a number) and,
# optionally, unit (text). See connectors/sql-source.camel.yaml for the query's contract.
# Header SqlBaseName: the SenML base name of the site, e.g. urn:dev:bmhs:school-12_
map({ n: (header("SqlBaseName") + .series), t: (.time / 1000), v: (.value | tonumber) }
    + (if .unit then {u: .unit} else {} end))
