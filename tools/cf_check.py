#!/usr/bin/python3
"""The part of the CF conventions (CF-1.8) that socialtwin's files promise, checked on HDF5 files.

No Debian package provides a CF checker (cfchecker is on PyPI only), so the project checks what
it needs itself, with h5py and UDUNITS-2 (Debian: udunits-bin, which brings libudunits2-0 and its
XML unit database). Every dataset in every group is a variable; netCDF-4's dimension-only scales
("This is a netCDF dimension but not a netCDF variable") are not.

Rules (the code in brackets is printed with each finding):

  [conventions]   global attribute `Conventions` names CF-1.8 (CF 2.6.1)
  [title]         global attributes `title` and `history` are present and not empty (CF 2.6.2)
  [long_name]     every variable has `long_name` or `standard_name` (CF 3.2, 3.3)
  [units]         every `units` attribute parses with UDUNITS-2 (CF 3.1)
  [scale]         every dimension scale (coordinate variable: year, area, ...) has `long_name`, and
                  `units` when it is numeric (CF 3.1, 4)
  [coordinates]   every name in `coordinates` is a variable (of the variable's group or an
                  enclosing one, CF 2.7) whose dimensions are among the variable's own (CF 5)
  [fill_value]    a floating-point variable holding NaN has `_FillValue`, and any `_FillValue` is a
                  single value of the variable's own type (CF 2.5.1)
  [grid_mapping]  `grid_mapping` names a variable (group or enclosing) with `grid_mapping_name`
                  (CF 5.6)
  [quantization]  `quantization` names a variable with `algorithm` and `implementation`, and the
                  variable states `quantization_nsb` (bitround) or `quantization_nsd` (CF 1.12 8.4)

Not checked: standard names against the standard-name table (the project uses only the
projection_x/y_coordinate names), cell methods, bounds, time axes (socialtwin's `year` is a
calendar-year label, not a CF time coordinate), string-valued variables' encodings.

    /usr/bin/python3 tools/cf_check.py FILE.h5 [MORE.h5 ...]

Exit 0 when every file is clean; 1 listing `file: variable: [rule] what` otherwise; 2 when a file
cannot be read or UDUNITS-2 is missing.
"""
import ctypes
import ctypes.util
import sys

import h5py
import numpy as np

CONVENTIONS = "CF-1.8"
PHONY_DIMENSION = b"This is a netCDF dimension but not a netCDF variable"
UT_UTF8 = 2


class Udunits:
    """UDUNITS-2's parser through ctypes: the same library and unit database as ncdump's users."""

    def __init__(self):
        name = ctypes.util.find_library("udunits2") or "libudunits2.so.0"
        try:
            lib = ctypes.CDLL(name)
        except OSError as error:
            raise RuntimeError(
                f"UDUNITS-2 is missing ({error}): install the Debian package udunits-bin") from None
        lib.ut_read_xml.restype = ctypes.c_void_p
        lib.ut_read_xml.argtypes = [ctypes.c_char_p]
        lib.ut_parse.restype = ctypes.c_void_p
        lib.ut_parse.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.ut_free.argtypes = [ctypes.c_void_p]
        lib.ut_set_error_message_handler.restype = ctypes.c_void_p
        lib.ut_set_error_message_handler.argtypes = [ctypes.c_void_p]
        # Silence the library's own messages: findings are reported here, once each.
        lib.ut_set_error_message_handler(ctypes.cast(lib.ut_ignore, ctypes.c_void_p))
        self.system = lib.ut_read_xml(None)
        if not self.system:
            raise RuntimeError("UDUNITS-2 found no unit database: install libudunits2-data")
        self.lib = lib

    def parses(self, text):
        unit = self.lib.ut_parse(self.system, text.encode("utf-8"), UT_UTF8)
        if not unit:
            return False
        self.lib.ut_free(unit)
        return True


def text(value):
    """An attribute as str (h5py gives bytes, str or 1-element arrays depending on the writer)."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str) else None


def is_phony(dataset):
    name = dataset.attrs.get("NAME")
    return isinstance(name, bytes) and name.startswith(PHONY_DIMENSION)


def is_scale(dataset):
    return text(dataset.attrs.get("CLASS")) == "DIMENSION_SCALE"


# Object paths by object, filled once per file from visititems: h5py's `.name` asks HDF5 for a
# path (H5Iget_name), which searches the file and cost most of a check on a large result.
_paths = {}


def path_of(item):
    found = _paths.get(item.id)
    return found if found is not None else item.name


def dimensions(dataset):
    """The dimension names of a variable: its own name for a scale, else the attached scales'."""
    if is_scale(dataset):
        return (path_of(dataset).rsplit("/", 1)[-1],)
    names = []
    for axis, dim in enumerate(dataset.dims):
        scales = list(dim.values())
        names.append(path_of(scales[0]).rsplit("/", 1)[-1] if scales else f"phony_dim_{axis}")
    return tuple(names)


def lookup(dataset, name):
    """`name` in the variable's group or an enclosing one (CF 2.7's search by proximity)."""
    group = path_of(dataset).rsplit("/", 1)[0] or "/"
    while True:
        found = dataset.file.get(f"{group.rstrip('/')}/{name}")
        if isinstance(found, h5py.Dataset):
            return found
        if group == "/":
            return None
        group = group.rsplit("/", 1)[0] or "/"


def holds_nan(dataset):
    if dataset.size == 0:
        return False
    if dataset.chunks is None:
        return bool(np.isnan(dataset[()]).any())
    # Chunk by chunk along the first axis, so a large file is never read whole.
    step = max(1, dataset.chunks[0])
    return any(bool(np.isnan(dataset[i:i + step]).any()) for i in range(0, dataset.shape[0], step))


def check_variable(dataset, units_parser, report):
    attrs = dataset.attrs
    name = path_of(dataset)
    if "long_name" not in attrs and "standard_name" not in attrs:
        report(name, "long_name", "neither long_name nor standard_name")
    units = attrs.get("units")
    numeric = dataset.dtype.kind in "iuf"
    if units is not None:
        value = text(units)
        if value is None or not units_parser.parses(value):
            report(name, "units", f"units {value!r} do not parse with UDUNITS-2")
    if is_scale(dataset):
        if "long_name" not in attrs:
            report(name, "scale", "dimension scale without long_name")
        if numeric and units is None:
            report(name, "scale", "numeric dimension scale without units")
    own = set(dimensions(dataset))
    for coordinate in (text(attrs.get("coordinates")) or "").split():
        found = lookup(dataset, coordinate)
        if found is None:
            report(name, "coordinates", f"coordinate {coordinate!r} is not a variable")
            continue
        extra = set(dimensions(found)) - own
        if extra:
            report(name, "coordinates",
                   f"coordinate {coordinate!r} runs over {sorted(extra)}, which {name} does not")
    if "_FillValue" in attrs:
        fill = attrs["_FillValue"]
        fill = np.asarray(fill)
        if fill.dtype != dataset.dtype or fill.size != 1:
            report(name, "fill_value",
                   f"_FillValue of type {fill.dtype} (size {fill.size}), variable of {dataset.dtype}")
    elif dataset.dtype.kind == "f" and holds_nan(dataset):
        report(name, "fill_value", "holds NaN but has no _FillValue")
    quantization = attrs.get("quantization")
    if quantization is not None:
        # CF 1.12 section 8.4: the container names the algorithm; bitround keeps a number of
        # bits (quantization_nsb), the others a number of digits (quantization_nsd).
        container = lookup(dataset, text(quantization) or "")
        algorithm = text(container.attrs.get("algorithm")) if container is not None else None
        if algorithm is None or "implementation" not in container.attrs:
            report(name, "quantization",
                   f"quantization {text(quantization)!r} names no variable with algorithm and "
                   "implementation")
        else:
            wanted = "quantization_nsb" if algorithm == "bitround" else "quantization_nsd"
            if wanted not in attrs:
                report(name, "quantization", f"quantized by {algorithm} without {wanted}")
    mapping = attrs.get("grid_mapping")
    if mapping is not None:
        target = lookup(dataset, text(mapping) or "")
        if target is None or "grid_mapping_name" not in target.attrs:
            report(name, "grid_mapping",
                   f"grid_mapping {text(mapping)!r} names no variable with grid_mapping_name")


def check_file(path, units_parser):
    """The findings of one file: (variable, rule, what), in the file's order."""
    findings = []

    def report(variable, rule, what):
        findings.append((variable, rule, what))

    with h5py.File(path, "r") as f:
        conventions = text(f.attrs.get("Conventions")) or ""
        if CONVENTIONS not in conventions.replace(",", " ").split():
            report("/", "conventions", f"Conventions is {conventions!r}, not {CONVENTIONS}")
        for attribute in ("title", "history"):
            if not (text(f.attrs.get(attribute)) or "").strip():
                report("/", "title", f"no global attribute {attribute}")
        variables = []

        def visit(path, item):
            _paths[item.id] = "/" + path
            if isinstance(item, h5py.Dataset) and not is_phony(item):
                variables.append(item)

        _paths.clear()
        f.visititems(visit)
        for dataset in variables:
            check_variable(dataset, units_parser, report)
        _paths.clear()
    return findings


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if argv else 2
    try:
        units_parser = Udunits()
    except RuntimeError as error:
        print(f"cf_check: {error}", file=sys.stderr)
        return 2
    failed = False
    for path in argv:
        try:
            findings = check_file(path, units_parser)
        except OSError as error:
            print(f"{path}: cannot read: {error}", file=sys.stderr)
            return 2
        for variable, rule, what in findings:
            print(f"{path}: {variable}: [{rule}] {what}")
        failed = failed or bool(findings)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
