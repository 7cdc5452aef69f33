# Teleinfo frame from MQTT (one JSON object per frame of a French electricity meter, historic TIC mode) -> SenML.
# Input: the labels of the frame as keys, the meter's values as strings, e.g.
#   {"ADCO":"021728123456","OPTARIF":"BASE","ISOUSC":"30","BASE":"001875395","PTEC":"TH..","IINST":"001",
#    "IMAX":"090","PAPP":"00130","MOTDETAT":"000000"}
# A value may also be an object holding the meter's text as "raw", as fmartinou/teleinfo2mqtt publishes it:
#   {"BASE":{"raw":"001875395","value":1875395}, ...}
# Headers (set by connectors/teleinfo-mqtt-source.camel.yaml):
#   TeleinfoMqttBaseName  the meter's SenML base name, e.g. urn:dev:prm:09111642617347_
# Each label present gives one record: BASE (cumulative index, Wh), PAPP (apparent power, VA), IINST (current, A),
# PTEC (tariff period, a string). A meter that does not send one of them just gives no record for it; a frame with
# none of them is not a teleinfo frame, and fails.
# Records carry no time, so the outbox stamps them with the frame's arrival time, unless the frame has a top-level
# "time": seconds since the epoch, or an ISO 8601 UTC date such as "2024-01-15T10:30:00Z".
def field($name): .[$name] | if type == "object" then .raw else . end;
def number($name): field($name) | select(. != null) | tonumber;
def string($name): field($name) | select(. != null);
(.time | if type == "number" then { bt: . } elif type == "string" then { bt: fromdateiso8601 } else {} end) as $time
| [ (number("BASE") | { n: "consumption/energy/active/index", u: "Wh", v: . }),
    (number("PAPP") | { n: "consumption/power/apparent/raw", u: "VA", v: . }),
    (number("IINST") | { n: "consumption/current/raw", u: "A", v: . }),
    (string("PTEC") | { n: "tariff-period", vs: . }) ]
| if length == 0 then error("not a teleinfo frame: none of BASE, PAPP, IINST, PTEC") else . end
| .[0] = { bn: header("TeleinfoMqttBaseName") } + $time + .[0]
