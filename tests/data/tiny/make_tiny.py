#!/usr/bin/env python3
"""Writes the tiny hand-checkable dataset the integration tests run on (synthetic, round numbers).

Rate set `rates/`: death probability 1% at every age (100% at 105), 0.05 births per woman aged
20-39, half boys, no migration, nobody changes household position; under-18s are children at
home, everyone else lives alone. GP 4 contacts per person (15 from age 85), Wmo client
probability 0.2 from age 75, Zvw 1,000 EUR per person (10% GP, 50% hospital, 10% pharmacy, from
75 20% district nursing), Wlz 10,000 EUR from age 80.
Dataset `datasets/tiny/`: area T1 with 50 men and 50 women aged 30 living alone, area T2 with
100 women aged 80 living alone; 100 dwellings each (by type and tenure in dwellings.csv). Re-run to regenerate:
    /usr/bin/python3 tests/data/tiny/make_tiny.py
"""
from pathlib import Path

here = Path(__file__).resolve().parent
positions = ["child_at_home", "living_alone", "partner_no_children", "partner_with_children",
             "single_parent", "other_member", "institution"]
ages = range(106)


def write(path: Path, header: list[str], rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    path.write_text("\n".join(lines) + "\n")


rates = here / "rates"
write(rates / "mortality.csv", ["age", "male", "female", "improvement_male", "improvement_female"],
      [[a, 1.0 if a == 105 else 0.01, 1.0 if a == 105 else 0.01, 0, 0] for a in ages])
write(rates / "fertility.csv", ["age", "asfr"], [[a, 0.05] for a in range(20, 40)])
write(rates / "migration.csv",
      ["sex", "age", "immigration_share", "emigration_probability", "moves_in_share",
       "moves_out_probability"],
      [[s, a, 0.05 if 20 <= a < 30 else 0, 0, 0.05 if 20 <= a < 30 else 0, 0]
       for s in ("male", "female") for a in ages])
write(rates / "household_positions.csv", ["sex", "age"] + positions,
      [[s, a] + ([1, 0, 0, 0, 0, 0, 0] if a < 18 else [0, 1, 0, 0, 0, 0, 0])
       for s in ("male", "female") for a in ages])
write(rates / "household_transitions.csv", ["sex", "age", "event", "from", "to", "rate"], [])
write(rates / "care.csv",
      ["sex", "age", "gp_contacts", "wmo_client_probability", "zvw_eur", "wlz_eur", "wmo_eur",
       "jeugd_eur"],
      [[s, a, 15 if a >= 85 else 4, 0.2 if a >= 75 else 0, 1000, 10000 if a >= 80 else 0, 100,
        500 if a < 18 else 0] for s in ("male", "female") for a in ages])
categories = ["gp", "hospital", "pharmacy", "district_nursing", "mental_health", "aids", "dental",
              "paramedical", "maternity", "transport", "other"]
write(rates / "zvw_categories.csv", ["sex", "age"] + categories,
      [[s, a, 0.1, 0.5, 0.1, 0.2 if a >= 75 else 0, 0, 0, 0, 0, 0, 0, 0.1 if a >= 75 else 0.3]
       for s in ("male", "female") for a in ages])
services = ["home_help", "support", "aids"]
write(rates / "wmo_services.csv",
      ["sex", "age"] + [f"{v}_{k}" for k in ("share", "alone_factor", "no_child_factor")
                        for v in services] + ["child_nearby_share"],
      [[s, a, 0.8 if a >= 75 else 0.2, 0.3, 0.5, 2, 1.5, 1, 1.25, 1, 1, 0.5]
       for s in ("male", "female") for a in ages])
(rates / "rates.yaml").write_text(
    "# Synthetic rate set for tests (round numbers, not real).\n"
    "reference_year: 2019\nprice_year: 2022\nsex_ratio_at_birth_male_share: 0.5\n"
    "immigrants_per_inhabitant: 0\ngp_contacts_per_fte: 10000\n"
    "persons_per_household_gemeente: 2\nother_households_per_other_member: 0.5\n"
    "newborn_death_probability_male: 0.005\nnewborn_death_probability_female: 0.005\n"
    "newborn_improvement_male: 0\nnewborn_improvement_female: 0\nmortality_factor: 1\n"
    "fertility_tfr_reference: 1\nfertility_tfr_long_run: 1\nfertility_years_to_long_run: 0\n"
    "partner_age_gap: 2\nliving_alone_trend: 0\n")

tiny = here / "datasets" / "tiny"
# Positions for the area graph [km]: T1 and T2 are 5 km apart (3-4-5), residents live 0.3 and
# 0.5 km from their area's position on average; KWB-style observed GP distance of the buurt.
write(tiny / "areas.csv", ["area", "buurt", "wijk", "gemeente", "dwellings", "x_km", "y_km",
                           "access_km", "observed_gp_distance_km"],
      [["T1", "BU1", "WK1", "GM1", 100, "80.000", "450.000", "0.300", "2.9"],
       ["T2", "BU1", "WK1", "GM1", 100, "83.000", "454.000", "0.500", "2.9"]])
# Facilities: one GP practice in T1 (0.08 FTE: about the GP FTE both areas need), a community
# centre in T2 (a type without a demand definition: distances only).
write(tiny / "facilities.csv",
      ["facility", "type", "area", "capacity", "capacity_units", "status", "name"],
      [["gp-1", "gp_practice", "T1", 0.08, "FTE", "modelled", "Practice T1"],
       ["cc-1", "community_centre", "T2", 1, "centres", "observed", "Buurthuis T2"]])
write(tiny / "population.csv", ["area", "sex", "age"] + positions,
      [["T1", "male", 30, 0, 50, 0, 0, 0, 0, 0], ["T1", "female", 30, 0, 50, 0, 0, 0, 0, 0],
       ["T2", "female", 80, 0, 100, 0, 0, 0, 0, 0]])
# Dwelling stock by type x tenure (each row adds up to the area's dwellings): T1 40 single-family
# (20 owner, 10 social rent, 10 private rent) and 60 multi-family (20 / 30 / 10); T2 only
# multi-family (10 owner, 60 social rent, 30 private rent).
write(tiny / "dwellings.csv",
      ["area"] + [f"{t}_{r}" for t in ("single_family", "multi_family")
                  for r in ("owner", "social_rent", "private_rent")],
      [["T1", 20, 10, 10, 20, 30, 10], ["T2", 0, 0, 0, 10, 60, 30]])
(tiny / "dataset.yaml").write_text(
    "# Synthetic two-area dataset for tests (see ../../make_tiny.py).\n"
    "name: tiny\ntitle: Tiny synthetic test dataset\nbase_year: 2019\narea_level: test\n"
    "rates: ../../rates\nlevels: [buurt, wijk, gemeente]\n"
    "provenance:\n  publisher: socialtwin tests\n  modelled: everything (synthetic)\n")
