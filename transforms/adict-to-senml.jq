# GRDF ADICT donnees_consos_informatives answer (NDJSON, given here as one JSON array) -> SenML records.
# Each object with a `consommation` is one gas day: its energy (kWh in ADICT, Wh here) and raw volume (m3), stamped at
# the start of the gas day (date_debut_consommation, which carries its offset), lasting until date_fin_consommation
# (dur, seconds; a gas day runs 06:00 to 06:00). Objects without one (a processing
# status such as code_statut_traitement) are skipped; a day without a value gives no record for it.
def name(series): "urn:dev:pce:" + .pce.id_pce + "_consumption/" + series;
[ .[] | select(.consommation != null) | . as $day
  | ($day.consommation.date_debut_consommation | localtime("Europe/Paris")) as $t
  | (if $day.consommation.date_fin_consommation != null
       then {dur: (($day.consommation.date_fin_consommation | localtime("Europe/Paris")) - $t)} else {} end) as $dur
  | ( if $day.consommation.energie != null
        then {n: ($day | name("energy/gas/daily")), u: "Wh", t: $t, v: ($day.consommation.energie * 1000)} + $dur else empty end,
      if $day.consommation.volume_brut != null
        then {n: ($day | name("volume/gas/daily")), u: "m3", t: $t, v: $day.consommation.volume_brut} + $dur else empty end ) ]
