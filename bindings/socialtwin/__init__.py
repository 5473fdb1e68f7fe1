"""socialtwin from Python: run a scenario and get an xarray.Dataset, or check one (docs/python.md).

    import socialtwin
    ds = socialtwin.run("scenarios/baseline.yaml", set={"horizon": 10}, core="agent", replicates=4)
    ds.gp_contacts.sel(year=2030).sum("area")

A run is the engine's own (`socialtwin run`), in memory: the Dataset has the names, units,
coordinates and attributes of the result file (docs/output-schema.md), without a round trip
through a file unless `output=` asks for one. The run releases the GIL and stops between two years
on Ctrl-C (KeyboardInterrupt). Bad input raises socialtwin.InputError with every problem found.

A sweep (docs/sweeps.md) is driven as `socialtwin sweep` drives it:

    sweep = socialtwin.Sweep("docs/examples/fertility-sweep.yaml")
    sweep.tasks            # pandas.DataFrame: id, variant, replicate, one column per varied key
    sweep.run(jobs=2)      # runs what is not done yet (each task a `socialtwin run` process)
    ds = sweep.merge()     # the merged file, opened lazily: ds.births.sel(variant=...)
"""
import json
import os
from dataclasses import dataclass, field

import numpy as np
import xarray as xr

from . import _socialtwin

__all__ = ["run", "validate", "Sweep", "SweepReport", "InputError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One problem in an input: where (file, line, column, key) and what was expected."""
    file: str
    line: int
    column: int
    key: str
    message: str
    hint: str
    text: str  # "file:line:column: key: message (hint)", as the command prints it

    def __str__(self):
        return self.text


class InputError(ValueError):
    """Bad input (a scenario, an override or its dataset): `problems` lists every one found."""

    def __init__(self, message, problems=()):
        super().__init__(message)
        self.problems = [p if isinstance(p, Problem) else Problem(**p) for p in problems]


def _input_error(error):
    message, problems = error.args if len(error.args) == 2 else (str(error), [])
    return InputError(message, problems)


def _set_arguments(overrides):
    """{key: value} as `--set key=value` arguments: JSON is YAML in flow style, so numbers stay
    numbers, strings stay text and lists and dicts become YAML lists and mappings."""
    return [f"{key}={json.dumps(value)}" for key, value in (overrides or {}).items()]


def validate(scenario, *, set=None, data_dir=None):
    """Every problem `socialtwin run` would refuse the scenario for, as Problem objects ([] if none).
    `set`: {key: value} overrides, as for run()."""
    return [Problem(**p) for p in _socialtwin.validate(str(scenario), None if data_dir is None else str(data_dir),
                                                       _set_arguments(set))]


def run(scenario, *, set=None, core=None, replicates=None, threads=0, data_dir=None, output=None,
        aggregates=True):
    """Runs a scenario and returns its result as an xarray.Dataset.

    scenario   path of the scenario YAML
    set        {key: value} overrides, as `socialtwin run --set key=value` (checked alike)
    core       "cohort" or "agent" (default: the scenario's)
    replicates agent core: number of replicates (default: the scenario's)
    threads    worker threads, 0 = all cores (results do not depend on it)
    data_dir   folder holding datasets/ (default: as the command finds it)
    output     also write the HDF5 result file there (with /aggregates unless aggregates=False)
    """
    try:
        raw = _socialtwin.run(str(scenario), None if data_dir is None else str(data_dir),
                              None if output is None else str(output), core, replicates, threads,
                              aggregates, _set_arguments(set))
    except _socialtwin._InputError as error:
        raise _input_error(error) from None
    return _dataset(raw)


def _dataset(raw):
    coords = {"year": ("year", np.asarray(raw["years"], dtype=np.int32)),
              "area": ("area", np.asarray(raw["areas"], dtype=object))}
    for name, values in raw["area_attributes"].items():
        coords[name] = ("area", np.asarray(values, dtype=object))
    positions = raw.get("positions")
    if positions:  # CF: x, y in metres (RD New) and the grid mapping crs, as in the file
        for axis in ("x", "y"):
            coords[axis] = ("area", np.asarray(positions[axis]), dict(positions[axis + "_attrs"]))
    for name, dim in raw["dimensions"].items():
        coords[name] = (name, np.asarray(dim["labels"], dtype=object), {"description": dim["description"]})
    n = raw["replicates"]
    if n > 1:
        coords["replicate"] = ("replicate", np.arange(n, dtype=np.int32))
        coords["quantile"] = ("quantile", np.asarray(raw["quantile_levels"]),
                              {"quantile_method": raw["quantile_method"]})
    variables = {}
    for ind in raw["indicators"]:
        dims = ("year", "area", *ind["dims"])
        attrs = {k: v for k, v in ind["attrs"].items() if k != "coordinates"}
        variables[ind["name"]] = (dims, ind["values"], attrs)
        if "replicates" in ind:  # per area only with output.replicates_per_area: all
            variables[ind["name"] + "_replicates"] = (("replicate", *dims), ind["replicates"],
                                                      {k: v for k, v in ind["replicates_attrs"].items()
                                                       if k != "coordinates"})
        if n > 1:
            q_attrs = {k: v for k, v in ind["quantiles_attrs"].items() if k != "coordinates"}
            q_attrs["quantile_method"] = raw["quantile_method"]
            variables[ind["name"] + "_quantiles"] = (("quantile", *dims), ind["quantiles"], q_attrs)
    if positions:
        variables["crs"] = ((), np.int32(0), dict(positions["crs_attrs"]))
    ds = xr.Dataset(variables, coords=coords)
    ds.attrs.update({"meta_" + k: v for k, v in raw["meta"].items()})
    ds.attrs["scenario_yaml"] = raw["scenario_yaml"]
    ds.attrs["wall_seconds"] = raw["summary"]["wall_seconds"]
    ds.attrs["person_years"] = raw["summary"]["person_years"]
    return ds


# ---- sweeps -------------------------------------------------------------------------------------

def _executable():
    """The `socialtwin` command a sweep's tasks run: $SOCIALTWIN_BIN, else the one built with
    this package."""
    from . import _build
    return os.environ.get("SOCIALTWIN_BIN") or _build.executable


def _value(text):
    """A varied value as the plan gives it (YAML in flow style): a number where it is one."""
    try:
        return json.loads(text)
    except ValueError:
        return text


@dataclass(frozen=True)
class SweepReport:
    """What Sweep.run did: tasks run now, done before, and the ids of those that failed (each
    with a <id>.failed note beside its result)."""
    ran: int
    skipped: int
    failed: list = field(default_factory=list)
    jobs: int = 0
    threads: int = 0


class Sweep:
    """A sweep file and its fixed task list; bad files raise InputError with every problem."""

    def __init__(self, file):
        self.file = str(file)
        try:
            plan = _socialtwin.sweep_plan(self.file)
        except _socialtwin._InputError as error:
            raise _input_error(error) from None
        self.name = plan["name"]
        self.base = plan["base"]
        self.output = plan["output"]
        self.replicates = plan["replicates"]
        self.keys = {p["coordinate"]: p["key"] for p in plan["parameters"]}
        self._tasks = plan["tasks"]

    @property
    def tasks(self):
        """One row per task: id, variant, replicate, each varied key (by its coordinate name) and
        the result file."""
        import pandas as pd
        rows = []
        for task in self._tasks:
            row = {"id": task["id"], "variant": task["variant"], "replicate": task["replicate"]}
            row.update({c: _value(v) for c, v in zip(self.keys, task["values"])})
            row["result"] = task["result"]
            rows.append(row)
        return pd.DataFrame(rows).set_index("id")

    def status(self):
        """Each task's state (done, missing, stale, failed) and why, as `sweep status` says."""
        import pandas as pd
        return pd.DataFrame(_socialtwin.sweep_status(self.file)).set_index("id")

    def run(self, *, jobs=0, threads=0, data_dir=None, executable=None):
        """Runs the tasks not done yet, `jobs` at once with `threads` each (0: the cores shared
        out), as `socialtwin sweep run`; results already done with the same scenario are kept."""
        try:
            report = _socialtwin.sweep_run(self.file, str(executable or _executable()), jobs, threads,
                                           None if data_dir is None else str(data_dir))
        except _socialtwin._InputError as error:
            raise _input_error(error) from None
        return SweepReport(**report)

    def merge(self, output=None):
        """Merges the results into one file (default <output>/merged.h5) and opens it lazily as
        an xarray.Dataset with a `variant` dimension and the varied keys as coordinates. Raises
        InputError while a task is not done."""
        try:
            merged = _socialtwin.sweep_merge(self.file, None if output is None else str(output))
        except _socialtwin._InputError as error:
            raise _input_error(error) from None
        self.merged, self.summary_file = merged["output"], merged["summary"]
        return xr.open_dataset(self.merged, engine="h5netcdf")

    def summary(self):
        """The merge's summary table (a row per variant) as a pandas.DataFrame."""
        import pandas as pd
        return pd.read_csv(self.summary_file).set_index("variant")
