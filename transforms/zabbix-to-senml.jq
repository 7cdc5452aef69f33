# Zabbix JSON-RPC answers -> SenML records.
# Input, built by connectors/zabbix-source.camel.yaml: {"items": <item.get answer>, "history": <history.get answer>}
# Header ZabbixBaseName: the SenML base name of the monitored site, e.g. urn:dev:zabbix:townhall_
# Each history value becomes a record named <base name><item key> (characters SenML forbids in names become _),
# with the item's unit, at clock + ns. Numeric items (value_type 0 float, 3 unsigned) give v, the others vs.
# A JSON-RPC error answer fails the transform with Zabbix's message.
def answer(method):
  if .error then error("Zabbix \(method) failed: \(.error.message) \(.error.data // "")") else .result end;

(.items | answer("item.get") | map({key: .itemid, value: .}) | from_entries) as $items
| .history | answer("history.get")
| map(
    $items[.itemid] as $item
    | select($item != null)
    | { n: (header("ZabbixBaseName") + ($item.key_ | gsub("[^A-Za-z0-9:./_-]"; "_"))),
        t: ((.clock | tonumber) + ((.ns // "0") | tonumber) / 1000000000) }
      + (if ($item.units // "") == "" then {} else {u: $item.units} end)
      + (if $item.value_type == "0" or $item.value_type == "3" then {v: (.value | tonumber)} else {vs: .value} end)
  )
