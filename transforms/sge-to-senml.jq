# Enedis SGE Tiers ConsultationMesuresDetaillees v2.0 SOAP answer -> SenML records. The connector reads the XML into
# a tree first (camel-jacksonxml: elements by local name, a repeated element as an array, a single one as an object).
# Header SgeSegment: C5 or C4. C5 load curves date a point at the END of its interval (<p>), C4 ones at its start:
# both are stamped at the START here (the Quoalise convention), with the interval as duration (dur, seconds). A daily
# energy (EA) is stamped at the start of its day and lasts that local day. Dates carry their offset. A daily maximum
# (PMA) is stamped when it occurred, an instant: no duration. Records are named urn:dev:prm:<point>_<consumption|production>/<quantity>.
# A SOAP fault fails the transform with SGE's own message.
def list: if type == "array" then . elif . == null then [] else [.] end;
def seconds:  # ISO 8601 duration PT<n>M or PT<n>H
  if test("^PT[0-9]+M$") then (.[2:-1] | tonumber) * 60
  elif test("^PT[0-9]+H$") then (.[2:-1] | tonumber) * 3600
  else error("unsupported interval '\(.)'") end;
def direction: {CONS: "consumption", PROD: "production"}[.] // error("unknown grandeurMetier '\(.)'");
def quantity:
  {PA: "power/active/raw", PRI: "power/reactive-inductive/raw", PRC: "power/reactive-capacitive/raw",
   EA: "energy/active/daily", PMA: "power/apparent/max"}[.] // error("unknown grandeurPhysique '\(.)'");
def unit: {VAr: "var"}[.] // .;  # SenML's registered unit for reactive power is var

.Body as $body
| if $body.Fault then error("SGE refused the request: \($body.Fault.faultstring)") else . end
| $body.consulterMesuresDetailleesResponse as $answer
| [ $answer.grandeur | list[] as $g
    | ("urn:dev:prm:" + $answer.pointId + "_" + ($g.grandeurMetier | direction) + "/" + ($g.grandeurPhysique | quantity))
      as $name
    | $g.mesure | list[]
    | (if .p then (.p | seconds) elif $g.grandeurPhysique == "EA" then (.d | daylength("Europe/Paris")) else null end)
      as $dur
    | { n: $name, u: ($g.unite | unit), v: (.v | tonumber),
        t: ((.d | localtime("Europe/Paris")) - (if .p and header("SgeSegment") == "C5" then $dur else 0 end)) }
    + (if $dur then {dur: $dur} else {} end) ]
