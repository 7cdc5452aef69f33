# Enedis DataConnect Metering Data v4 answer -> SenML records.
# Header DataconnectResource: the resource asked for (consumption_load_curve, production_load_curve,
# daily_consumption, daily_production); it gives the series name.
# Dates are French local time without offset (localtime() is sen-proxy's jq function, DST-aware). A load-curve
# point is dated at the END of its interval_length (PT30M...): it is stamped at its START, and carries the
# interval as its duration (dur, seconds). A daily value is stamped at the start of its day and lasts that local day
# (dur 86400, or 82800/90000 when the clocks change).
def series:
  {consumption_load_curve: "consumption/power/active/raw", production_load_curve: "production/power/active/raw",
   daily_consumption: "consumption/energy/active/daily", daily_production: "production/energy/active/daily"}
  [header("DataconnectResource")]
  // error("unknown DataConnect resource '\(header("DataconnectResource"))'");
def seconds:  # ISO 8601 duration PT<n>M or PT<n>H
  if test("^PT[0-9]+M$") then (.[2:-1] | tonumber) * 60
  elif test("^PT[0-9]+H$") then (.[2:-1] | tonumber) * 3600
  else error("unsupported interval_length '\(.)'") end;

.meter_reading as $m
| ("urn:dev:prm:" + $m.usage_point_id + "_" + series) as $name
| $m.interval_reading
| map((if .interval_length then (.interval_length | seconds) else (.date | daylength("Europe/Paris")) end) as $dur
      | { n: $name, u: $m.reading_type.unit, v: (.value | tonumber),
          t: ((.date | localtime("Europe/Paris")) - (if .interval_length then $dur else 0 end)), dur: $dur })
