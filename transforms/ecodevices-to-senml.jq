# Eco-devices teleinfo JSON (api/xdevices.json?cmd=10) -> SenML records.
# The source has no timestamp: records carry no time, so the outbox stamps them with the poll time.
# Headers (set by connectors/ecodevices-source.camel.yaml):
#   EcodevicesBaseName  the meter's SenML base name, e.g. urn:dev:prm:09111642617347_
#   EcodevicesC1Unit, EcodevicesC2Unit  units of the pulse counters
# T1_BASE, INDEX_C1 and INDEX_C2 are cumulative indexes: named .../index, they only grow.
[
  { bn: header("EcodevicesBaseName"), n: "consumption/energy/active/index", u: "Wh", v: .T1_BASE },
  { n: "consumption/power/apparent/raw", u: "VA", v: .T1_PAPP },
  { n: "tariff-period", vs: .T1_PTEC },
  { n: "c1/index", u: header("EcodevicesC1Unit"), v: .INDEX_C1 },
  { n: "c2/index", u: header("EcodevicesC2Unit"), v: .INDEX_C2 }
]
