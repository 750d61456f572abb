"""Share a lab: its whole view in a URL query string or a JSON file, and back.

A shared view is the value of every parameter named in ``SHARED``. Both formats carry the same
values and pass the same validation, so a link or a file, whoever made it, can only set values the
lab could have set itself; anything else is refused with a ``ShareError`` that names the key.
Nothing read is evaluated, unpickled or used as a path.

JSON file (``to_json`` / ``from_json``), one object::

    {"version": 1, "X": [[0.5, 0.4], …], "y": [0, …], "W": [[1.0, 2.0], …],
     "b": [0.0, 0.5, -0.5], "loss": "weston_watkins", "margin": 1.0, "squared": false, …,
     "batch_size": null, …, "box": [-1.5, 1.5, -1.5, 1.5]}

URL query (``to_query`` / ``from_query``), the same keys in the same order::

    version=1&X=0.5,0.4,0.8,0.3,…&y=0,0,…&W=1,2,2,-4,3,-1&b=0,0.5,-0.5&loss=weston_watkins
    &margin=1&squared=false&…&batch_size=none&…&box=-1.5,1.5,-1.5,1.5

- numbers are written shortest-round-trip (Python's ``repr``), so reading them back gives the
  identical float; a trailing ``.0`` is dropped (``1``) and so is an exponent's ``+`` (``1e20``),
  because ``+`` means a space in a query string;
- arrays are flat, comma-separated, row by row: ``X`` is x0,x1 of point 0, then of point 1, …;
  ``W`` is W00,W01,W10,W11,W20,W21; an empty array is an empty value (``X=&y=``);
- booleans are ``true`` / ``false``; "no value" (full-batch ``batch_size``) is ``none``; a
  selector's choice is its value (``loss=softmax``), percent-encoded if it needs to be.

Keys may be left out: a missing key keeps the lab's current value (``X`` and ``y`` go together).
A missing ``version`` is read as the current one.

The lab never writes a link longer than ``SAFE_QUERY_CHARS`` (every browser, proxy and server on
the way carries that much): a lab whose whole query is longer goes in the address without its
points, marked ``data=file`` (its points travel as a JSON file). It reads links of up to
``MAX_QUERY_CHARS``. The server hands the page request's query to the lab already split
(``from_arguments``), and nothing else parses it.
"""

import json
import math
import re
import urllib.parse

import numpy as np
import param

from losslab import core
from losslab.session.state import MAX_POINTS, LabState

VERSION = 1
MAX_JSON_BYTES = 1_000_000
MAX_QUERY_CHARS = 65_536
"""Longest query the lab reads."""
SAFE_QUERY_CHARS = 8_192
"""Longest query the lab writes."""
POINTS_BY_FILE = ("data", "file")
"""The key and value of a link that holds everything but the points (they travel by file)."""

SHARED = (
    "X", "y", "W", "b",
    "loss", "margin", "squared", "reg", "reg_strength", "beta",
    "optimizer", "step_size", "momentum", "rho", "beta1", "beta2", "eps",
    "batch_size", "seed", "schedule", "decay_rate", "decay_every", "run_speed",
    "show_pulls", "presentation", "box",
)
ARRAYS = ("X", "y", "W", "b", "box")


class ShareError(ValueError):
    """A shared link or file that cannot be opened; the message says why, in plain words."""


# -- checking one value ---------------------------------------------------------------------------


def _describe(value):
    """A short, safe description of a value for an error message (never its full contents)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, (str, int, float)):
        text = repr(value[:40] if isinstance(value, str) else value)
        return ("the text " if isinstance(value, str) else "") + text[:40]
    if isinstance(value, (list, tuple)):
        return f"a list of {len(value)} items"
    return "an object" if isinstance(value, dict) else f"a {type(value).__name__}"


def _finite(key, value, limit=None):
    """``value`` as a float if it is a finite number (|value| ≤ ``limit``), else ShareError."""
    # bool is a subclass of int in Python, but true/false is not a number in a shared file.
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        raise ShareError(f"{key!r} must be a number, not {_describe(value)}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise ShareError(f"{key!r} must be a finite number, not {_describe(value)}.")
    if limit is not None and abs(value) > limit:  # compared before float(): a huge int is fine here
        raise ShareError(f"{key!r} must be between {-limit:g} and {limit:g}, "
                         f"got {_describe(value)}.")
    try:
        return float(value)
    except OverflowError:
        raise ShareError(f"{key!r} is too large a number.") from None


def _check_bounds(key, value, parameter):
    """Refuse ``value`` outside the parameter's declared bounds (inclusive or not, as declared)."""
    (low, high), (low_in, high_in) = parameter.bounds or (None, None), parameter.inclusive_bounds
    if (low is not None and (value < low if low_in else value <= low)) or \
            (high is not None and (value > high if high_in else value >= high)):
        limits = [f"{'at least' if low_in else 'above'} {low}"] if low is not None else []
        limits += [f"{'at most' if high_in else 'below'} {high}"] if high is not None else []
        raise ShareError(f"{key!r} must be {' and '.join(limits)}, got {_describe(value)}.")


def _scalar(key, value):
    """Check a scalar against its LabState declaration (type, bounds, choices, None allowed)."""
    parameter = LabState.param[key]
    if value is None:
        if parameter.allow_None is True:
            return None
        raise ShareError(f"{key!r} needs a value, not null.")
    if isinstance(parameter, param.Boolean):
        if not isinstance(value, bool):
            raise ShareError(f"{key!r} must be true or false, not {_describe(value)}.")
        return value
    if isinstance(parameter, param.Selector):
        choices = list(parameter.objects)
        if not any(type(value) is type(choice) and value == choice for choice in choices):
            raise ShareError(f"{key!r} must be one of {', '.join(map(repr, choices))}, "
                             f"not {_describe(value)}.")
        return value
    if isinstance(parameter, param.Integer):
        if not isinstance(value, int) or isinstance(value, bool):
            raise ShareError(f"{key!r} must be a whole number, not {_describe(value)}.")
        _check_bounds(key, value, parameter)
        return int(value)
    if isinstance(parameter, param.Number):
        number = _finite(key, value)
        _check_bounds(key, number, parameter)
        return number
    raise TypeError(f"no sharing rule for parameter {key!r} of type {type(parameter).__name__}")


def _items(key, value, length=None, most=None, what="numbers"):
    """``value`` as a list, checked to have ``length`` (or at most ``most``) items."""
    if not isinstance(value, (list, tuple)):
        raise ShareError(f"{key!r} must be a list of {what}, not {_describe(value)}.")
    if length is not None and len(value) != length:
        raise ShareError(f"{key!r} must have {length} {what}, got {len(value)}.")
    if most is not None and len(value) > most:
        raise ShareError(f"{key!r} has {len(value)} {what}; at most {most} can be shared.")
    return value


def _matrix(key, value, rows=None):
    """A (rows, 2) read-only float array of finite numbers, |v| ≤ core.PARAMETER_LIMIT (also the limit of a coordinate and a view-box edge)."""
    what = "points" if rows is None else "rows"
    value = _items(key, value, length=rows, most=MAX_POINTS, what=what)
    checked = [[_finite(key, v, core.PARAMETER_LIMIT) for v in _items(key, row, length=2, what="numbers")]
               for row in value]
    return core.read_only(checked, float, (len(checked), 2))


def _labels(key, value):
    """A (N,) read-only int array of class labels 0 … core.NUM_CLASSES − 1."""
    labels = []
    for v in _items(key, value, most=MAX_POINTS, what="labels"):
        if not isinstance(v, int) or isinstance(v, bool) or not 0 <= v < core.NUM_CLASSES:
            raise ShareError(f"{key!r} must hold class labels 0 to {core.NUM_CLASSES - 1}, "
                             f"not {_describe(v)}.")
        labels.append(v)
    return core.read_only(labels, np.int64, (len(labels),))


def _numbers(key, value, length):
    return [_finite(key, v, core.PARAMETER_LIMIT) for v in _items(key, value, length=length)]


def _box(key, value):
    """(xmin, xmax, ymin, ymax) as floats; each axis must have a positive width."""
    xmin, xmax, ymin, ymax = _numbers(key, value, 4)
    if not (xmin < xmax and ymin < ymax):
        raise ShareError(f"{key!r} must be (xmin, xmax, ymin, ymax) with xmin < xmax and "
                         "ymin < ymax.")
    return (xmin, xmax, ymin, ymax)


_ARRAY_RULES = {
    "X": _matrix,
    "y": _labels,
    "W": lambda key, value: _matrix(key, value, rows=core.NUM_CLASSES),
    "b": lambda key, value: core.read_only(_numbers(key, value, core.NUM_CLASSES), float, (core.NUM_CLASSES,)),
    "box": _box,
}


# -- the whole view as a dict ---------------------------------------------------------------------


def _check_known(key):
    if key not in SHARED and key != "version":
        name = repr(key[:40]) if isinstance(key, str) else _describe(key)
        raise ShareError(f"Unknown key {name}; a shared lab has only: version, "
                         + ", ".join(SHARED) + ".")


def _check_version(value):
    if not (isinstance(value, int) and not isinstance(value, bool) and value == VERSION):
        raise ShareError(f"'version' must be {VERSION}; this lab cannot open version "
                         f"{_describe(value)}.")


def state_from_dict(data):
    """Validated parameter values of the keys present in ``data`` (a JSON-like dict).

    Returns {name: value} ready for ``state.param.update``: arrays as read-only ndarrays
    (X (N, 2) float, y (N,) int64, W (3, 2), b (3,) float), box a tuple of 4 floats.
    Raises ShareError.
    """
    if not isinstance(data, dict):
        raise ShareError(f"A shared lab must be an object of named values, not {_describe(data)}.")
    for key in data:
        _check_known(key)
    if "version" in data:
        _check_version(data["version"])
    values = {}
    for key in SHARED:
        if key in data:
            rule = _ARRAY_RULES.get(key, _scalar)
            values[key] = rule(key, data[key])
    if ("X" in values) != ("y" in values):
        raise ShareError("'X' and 'y' must be shared together (the points and their labels).")
    if "X" in values and len(values["X"]) != len(values["y"]):
        raise ShareError(f"'X' has {len(values['X'])} points but 'y' has "
                         f"{len(values['y'])} labels.")
    return values


def state_to_dict(state):
    """The shared view of ``state`` as a JSON-able dict (lists, floats, ints, bools, strings,
    None): "version" first, then the keys of SHARED in order."""
    data = {"version": VERSION}
    for key in SHARED:
        value = getattr(state, key)
        if key in ARRAYS:
            value = np.asarray(value, dtype=np.int64 if key == "y" else float).tolist()
        elif isinstance(value, np.generic):
            value = value.item()
        data[key] = value
    return data


def apply_values(state, values):
    """Set validated ``values`` (from state_from_dict, from_json or from_query) on ``state`` in
    one update, as a new start: a selected point that no longer exists is unselected, and the
    step count, the optimizer's memory and the loss history start over."""
    update = dict(values)
    selected = getattr(state, "selected", None)
    if "X" in values and selected is not None and selected >= len(values["X"]):
        update["selected"] = None
    state.param.update(**update)
    state.start_over()


def apply_shared(state, data):
    """Validate all of ``data`` first, then set it on ``state`` (see apply_values); returns the
    values. Invalid input raises ShareError and changes nothing."""
    values = state_from_dict(data)
    apply_values(state, values)
    return values


# -- JSON -----------------------------------------------------------------------------------------


def _finite_float(text):
    """A JSON number as a float; NaN, Infinity and 1e400 (read as infinity) are refused."""
    number = float(text)
    if not math.isfinite(number):
        raise ShareError(f"The number {text[:40]} is not finite; every number must be finite.")
    return number


def _no_duplicates(pairs):
    """An object's pairs as a dict; a key given twice is refused rather than silently last-wins."""
    data = {}
    for key, value in pairs:
        if key in data:
            raise ShareError(f"The key {key[:40]!r} appears twice in the file.")
        data[key] = value
    return data


def to_json(state):
    """The shared view of ``state`` as JSON text, one key per line."""
    data = state_to_dict(state)
    try:
        lines = [f"  {json.dumps(key)}: {json.dumps(value, allow_nan=False)}"
                 for key, value in data.items()]
    except ValueError:
        raise ShareError("This lab holds a number that is not finite; it cannot be shared.") \
            from None
    return "{\n" + ",\n".join(lines) + "\n}\n"


def from_json(text):
    """Validated values (as ``state_from_dict``) from JSON ``text`` (str or UTF-8 bytes)."""
    if isinstance(text, (bytes, bytearray)):
        if len(text) > MAX_JSON_BYTES:
            raise ShareError(f"The file is larger than {MAX_JSON_BYTES:,} bytes.")
        try:
            text = bytes(text).decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ShareError("The file is not UTF-8 text.") from None
    elif isinstance(text, str):
        # Characters never outnumber bytes, so the cheap check comes first.
        if len(text) > MAX_JSON_BYTES or \
                len(text.encode("utf-8", "surrogatepass")) > MAX_JSON_BYTES:
            raise ShareError(f"The file is larger than {MAX_JSON_BYTES:,} bytes.")
    else:
        raise ShareError(f"Expected JSON text, not {_describe(text)}.")
    try:
        data = json.loads(text, parse_constant=_finite_float, parse_float=_finite_float,
                          object_pairs_hook=_no_duplicates)
    except ShareError:
        raise
    except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
        raise ShareError(f"The file is not valid JSON ({error}).") from None
    return state_from_dict(data)


# -- URL query ------------------------------------------------------------------------------------

_INT = re.compile(r"[-+]?\d+")
_FLOAT = re.compile(r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")  # no nan, inf, _ or spaces


def _query_value(value):
    """One JSON-able value as query text: numbers shortest-round-trip, lists flat with commas."""
    if isinstance(value, list):
        flat = [v for row in value for v in (row if isinstance(row, list) else [row])]
        return ",".join(map(_query_value, flat))
    if isinstance(value, bool) or value is None:
        return json.dumps(value).replace("null", "none")
    if isinstance(value, str):
        return urllib.parse.quote(value, safe="")
    text = repr(value).replace("e+", "e")  # "+" would read back as a space
    # "1.0" → "1" reads back as the same float; "-0.0" keeps its ".0" to keep its sign.
    return text[:-2] if text.endswith(".0") and text != "-0.0" else text


def _join(data):
    return "&".join(f"{key}={_query_value(value)}" for key, value in data.items())


def share_query(state):
    """(query, whole): the query string of ``state``'s address (no leading "?"; see the module
    doc), never longer than SAFE_QUERY_CHARS. ``whole`` is False when the points did not fit:
    the query then holds every other value and ``data=file``."""
    data = state_to_dict(state)
    query = _join(data)
    if len(query) <= SAFE_QUERY_CHARS:
        return query, True
    rest = {key: value for key, value in data.items() if key not in ("X", "y")}
    query = _join({**rest, POINTS_BY_FILE[0]: POINTS_BY_FILE[1]})
    assert len(query) <= SAFE_QUERY_CHARS, "every value but the points always fits in a link"
    return query, False


def to_query(state):
    """The whole shared view of ``state`` as a URL query string (no leading "?"); a lab whose
    link would be longer than SAFE_QUERY_CHARS raises ShareError: it goes in a file."""
    query, whole = share_query(state)
    if not whole:
        raise ShareError("This lab has too many points for a link; share it as a JSON file.")
    return query


def _word(text):
    """A query word as the JSON value it stands for: a number, true, false, none (null) or text.

    The type is checked afterwards, against the key, by state_from_dict.
    """
    if _INT.fullmatch(text):
        try:
            return int(text)
        except ValueError:  # more digits than Python converts (4300): no value is that long
            return text
    if _FLOAT.fullmatch(text):
        return float(text)
    return {"true": True, "false": False, "none": None}.get(text, text)


def _parse_query_value(key, text):
    """One query value as the JSON-like value state_from_dict expects for ``key``."""
    if key not in ARRAYS:
        return _word(text)
    words = [_word(word) for word in text.split(",")] if text else []
    if key in ("X", "W"):  # flat, row by row: back into rows of 2
        if len(words) % 2:
            raise ShareError(f"{key!r} must have an even count of numbers (pairs of coordinates), "
                             f"got {len(words)}.")
        return [words[i:i + 2] for i in range(0, len(words), 2)]
    return words


def from_query(query):
    """Validated values (as ``state_from_dict``) from a URL query string, with or without "?"."""
    if not isinstance(query, str):
        raise ShareError(f"Expected a query string, not {_describe(query)}.")
    if len(query) > MAX_QUERY_CHARS:
        raise ShareError(f"The link is longer than {MAX_QUERY_CHARS:,} characters.")
    query = query[1:] if query.startswith("?") else query
    try:
        pairs = urllib.parse.parse_qsl(query, keep_blank_values=True, errors="strict",
                                       max_num_fields=2 * len(SHARED))
    except ValueError as error:  # too many fields, or percent-escapes that are not UTF-8
        raise ShareError(f"The link's query cannot be read ({error}).") from None
    return _from_pairs(pairs)


def from_arguments(arguments):
    """Validated values (as ``state_from_dict``) from a request's query arguments as the server
    parsed them: {name: [value as bytes, …]} (str values are taken as they are)."""
    if not isinstance(arguments, dict):
        raise ShareError(f"Expected the link's fields, not {_describe(arguments)}.")
    pairs, size = [], 0
    for key, values in arguments.items():
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str):
                value = value.encode("utf-8", "surrogatepass")
            if not isinstance(key, str) or not isinstance(value, (bytes, bytearray)):
                raise ShareError("The link's fields cannot be read.")
            size += len(key) + len(value) + 2
            if size > MAX_QUERY_CHARS:
                raise ShareError(f"The link is longer than {MAX_QUERY_CHARS:,} characters.")
            if len(pairs) == 2 * len(SHARED):
                raise ShareError("The link has more fields than a shared lab.")
            try:
                pairs.append((key, bytes(value).decode("utf-8")))
            except UnicodeDecodeError:
                raise ShareError(f"The value of {key[:40]!r} is not UTF-8 text.") from None
    return _from_pairs(pairs)


def holds_points_by_file(arguments):
    """Whether a link's fields (as ``from_arguments`` takes them) say its points travel by file."""
    return POINTS_BY_FILE[0] in arguments


def _from_pairs(pairs):
    """Validated values from a link's (key, text) pairs: each key known and given once."""
    data, seen = {}, set()
    for key, text in pairs:
        if key in seen:
            raise ShareError(f"The key {key[:40]!r} appears twice in the link.")
        seen.add(key)
        if key == POINTS_BY_FILE[0]:
            if text != POINTS_BY_FILE[1]:
                raise ShareError(f"{key!r} can only be {POINTS_BY_FILE[1]!r} (the points travel "
                                 f"in a file), not {_describe(text)}.")
            continue
        _check_known(key)
        data[key] = _parse_query_value(key, text)
    if POINTS_BY_FILE[0] in seen and "X" in data:
        raise ShareError("A link whose points travel in a file ('data=file') cannot hold 'X'.")
    return state_from_dict(data)
