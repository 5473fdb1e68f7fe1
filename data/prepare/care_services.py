"""Wmo use by service (home help, support, aids) and its dependence on living alone and on
informal care from a child nearby: the parameters of the care model's Wmo services.

No table in ../shared splits Wmo clients by service, so these are MODELLED ASSUMPTIONS, labelled
so in the rate set's PROVENANCE.md, with two anchors from ../shared/docs/domain.md: home help
(huishoudelijke hulp) is used by ~16% of people aged 75-84 and ~30% of those 85+ (2024). With
the rate sets' Wmo client probability (0.200 at 75-84, 0.412 at 85+, Den Haag population
weights), home help is then 80% and 73% of the clients of those ages. A municipality with its
own registrations by service replaces wmo_services.csv.

wmo_services.csv, one row per sex x single age 0..105:
  <service>_share          share of Wmo clients of that sex and age using the service (a client
                           may use several: the shares need not sum to 1)
  <service>_alone_factor   use by a person living alone (with a child nearby) relative to a
                           person living with others (partner, children, other members)
  <service>_no_child_factor further factor for a person living alone without a child nearby
  child_nearby_share       share of persons living alone with a child nearby (informal care)
The engine keeps each age's base-year total equal to clients x share (the factors redistribute
use between living situations), so a scenario with more people living alone, or fewer children
nearby, raises the use of each service.
"""
import os

SERVICES = ["home_help", "support", "aids"]

# Share of clients using each service, by age band (lower bound of the band): assumptions except
# the home-help shares at 75-84 and 85+ (domain.md anchors / client probability).
CLIENT_SHARE_BANDS = [  # (age from, home_help, support, aids)
    (0, 0.00, 0.30, 0.50),
    (18, 0.20, 0.55, 0.35),
    (65, 0.55, 0.30, 0.50),
    (75, 0.80, 0.20, 0.55),
    (85, 0.73, 0.20, 0.60),
]
# Relative use when living alone (with a child nearby), and the further factor without one:
# assumptions in the direction SCP and CBS describe (living alone and lacking informal care
# raise formal home help most, aids least).
ALONE_FACTOR = {"home_help": 1.8, "support": 1.3, "aids": 1.2}
NO_CHILD_FACTOR = {"home_help": 1.25, "support": 1.1, "aids": 1.0}
# Share of persons living alone with a child nearby: assumption (half).
CHILD_NEARBY_SHARE = 0.5

COLUMNS = (["sex", "age"] + [f"{s}_share" for s in SERVICES] + [f"{s}_alone_factor" for s in SERVICES]
           + [f"{s}_no_child_factor" for s in SERVICES] + ["child_nearby_share"])


def band_shares(age):
    row = CLIENT_SHARE_BANDS[0]
    for band in CLIENT_SHARE_BANDS:
        if age >= band[0]:
            row = band
    return row[1:]


def write_wmo_services(out_dir, sexes, ages, write_csv, fmt):
    rows = []
    for sex in sexes:
        for age in ages:
            shares = band_shares(int(age))
            rows.append([sex, int(age)] + [fmt(v) for v in shares]
                        + [fmt(ALONE_FACTOR[s]) for s in SERVICES]
                        + [fmt(NO_CHILD_FACTOR[s]) for s in SERVICES] + [fmt(CHILD_NEARBY_SHARE)])
    return write_csv(os.path.join(out_dir, "wmo_services.csv"), COLUMNS, rows)


PROVENANCE = """
## wmo_services.csv (**modelled assumptions**, data/prepare/care_services.py)
`sex,age,home_help_share,support_share,aids_share,home_help_alone_factor,support_alone_factor,aids_alone_factor,home_help_no_child_factor,support_no_child_factor,aids_no_child_factor,child_nearby_share`
- No source table splits Wmo clients by service. `<service>_share` is the share of Wmo clients (care.csv
  `wmo_client_probability`) using home help (huishoudelijke hulp), support (begeleiding, dagbesteding) or
  aids (hulpmiddelen, woonvoorzieningen, vervoer), by age band: 0-17 0/0.30/0.50, 18-64 0.20/0.55/0.35,
  65-74 0.55/0.30/0.50, 75-84 0.80/0.20/0.55, 85+ 0.73/0.20/0.60. The home-help shares at 75-84 and 85+ are
  set so that home help reaches the domain.md figures (16% of people aged 75-84, 30% of 85+, 2024) with the
  Den Haag client probabilities (0.200 and 0.412); all other shares are assumptions. A client may use
  several services.
- `<service>_alone_factor` (home help 1.8, support 1.3, aids 1.2): use by a person living alone relative
  to a person sharing a household; `<service>_no_child_factor` (1.25, 1.1, 1.0): further factor when
  no child lives nearby to give informal care (mantelzorg); `child_nearby_share` 0.5: share of persons
  living alone with a child nearby. Assumptions in the direction SCP/CBS describe, not fitted.
- The engine keeps each sex and age's base-year use equal to clients x share: the factors move use
  between living situations, so more people living alone (or fewer children nearby) raises use.
"""
