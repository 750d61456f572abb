"""Sharing a lab through a link or a file: exact round trips, and every bad input refused safely."""

import json
import math
import urllib.parse

import numpy as np
import param
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from losslab.session.share_codec import (
    MAX_JSON_BYTES,
    MAX_POINTS,
    MAX_QUERY_CHARS,
    SAFE_QUERY_CHARS,
    SHARED,
    ShareError,
    apply_shared,
    from_json,
    from_query,
    state_from_dict,
    state_to_dict,
    to_json,
    share_query,
    to_query,
)
from losslab.session.state import LabState

SCALARS = [key for key in SHARED if key not in ("X", "y", "W", "b", "box")]
FUZZ = settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))

LINK_POINTS = 150
"""Points of full-precision coordinates that a link the lab writes (SAFE_QUERY_CHARS) holds."""
LECTURE_POINTS = 500
"""Points of a lecture's data set (three decimals, |x| < 10) that a link holds."""



def snapshot(state):
    """Every shared value of ``state``, exactly (floats by repr, so -0.0 and 0.0 differ)."""
    return json.dumps(state_to_dict(state))


def assert_values_are_the_states(values, state):
    assert set(values) == set(SHARED)
    for key in SHARED:
        value, expected = values[key], getattr(state, key)
        if isinstance(expected, np.ndarray):
            assert value.dtype.kind == expected.dtype.kind and value.shape == expected.shape, key
            assert value.tobytes() == np.ascontiguousarray(expected).tobytes(), key
        else:
            assert type(value) is type(expected) and value == expected, key


# One lab that fuzzed values are applied to in turn (any valid values fit any valid lab); a new
# lab per example would make the thousands of examples several times slower.
FUZZED_LAB = LabState()


def assert_applicable(values):
    """Validated values are ones the lab can take: applying them never fails."""
    assert set(values) <= set(SHARED)
    FUZZED_LAB.param.update(**values)
    assert np.isfinite(FUZZED_LAB.evaluation.total_loss)


# -- exact round trips ----------------------------------------------------------------------------


def test_default_state_round_trips_exactly():
    state = LabState()
    assert_values_are_the_states(from_json(to_json(state)), state)
    assert_values_are_the_states(from_json(to_json(state).encode()), state)
    assert_values_are_the_states(from_query(to_query(state)), state)
    assert_values_are_the_states(from_query("?" + to_query(state)), state)


def test_query_format_is_compact_and_readable():
    query = to_query(LabState())
    assert query.startswith("version=1&X=0.5,0.4,0.8,0.3,")
    for part in ("&y=0,0,0,1,1,1,2,2,2&", "&W=1,2,2,-4,3,-1&", "&b=0,0.5,-0.5&",
                 "&loss=weston_watkins&", "&margin=1&", "&squared=false&", "&eps=1e-08&",
                 "&batch_size=none&", "&box=-1.5,1.5,-1.5,1.5"):
        assert part in query
    assert [pair.split("=")[0] for pair in query.split("&")] == ["version", *SHARED]


def test_json_file_has_one_key_per_line():
    text = to_json(LabState())
    assert json.loads(text) == state_to_dict(LabState())
    assert text.count("\n") == len(SHARED) + 3
    assert state_to_dict(LabState())["version"] == 1


def test_missing_keys_keep_the_current_values():
    assert from_query("") == {} and from_query("?") == {} and from_json("{}") == {}
    assert from_query("loss=softmax&margin=0.5") == {"loss": "softmax", "margin": 0.5}
    state = LabState(loss="softmax")
    apply_shared(state, {"margin": 2.0})
    assert (state.loss, state.margin) == ("softmax", 2.0)


def test_no_points_is_a_valid_view():
    values = from_query("X=&y=")
    assert values["X"].shape == (0, 2) and values["y"].shape == (0,)
    state = LabState()
    apply_shared(state, {"X": [], "y": []})
    assert from_json(to_json(state))["X"].shape == (0, 2)
    assert state.evaluation.data_loss == 0.0


def test_a_lecture_sized_data_set_fits_in_a_link():
    rng = np.random.default_rng(1)
    state = LabState()
    apply_shared(state, {"X": rng.uniform(-1e6, 1e6, (LINK_POINTS, 2)).tolist(),
                         "y": rng.integers(0, 3, LINK_POINTS).tolist()})
    assert len(to_query(state)) <= SAFE_QUERY_CHARS
    assert_values_are_the_states(from_query(to_query(state)), state)
    assert_values_are_the_states(from_json(to_json(state)), state)
    apply_shared(state, {"X": rng.uniform(-9.999, 9.999, (LECTURE_POINTS, 2)).round(3).tolist(),
                         "y": rng.integers(0, 3, LECTURE_POINTS).tolist()})
    assert_values_are_the_states(from_query(to_query(state)), state)


def test_the_largest_data_set_goes_to_a_file_and_is_refused_as_a_link():
    rng = np.random.default_rng(1)
    state = LabState()
    apply_shared(state, {"X": rng.uniform(-1e6, 1e6, (MAX_POINTS, 2)).tolist(),
                         "y": rng.integers(0, 3, MAX_POINTS).tolist()})
    assert_values_are_the_states(from_json(to_json(state)), state)
    with pytest.raises(ShareError, match="JSON file"):
        to_query(state)
    query, whole = share_query(state)
    assert not whole and len(query) <= SAFE_QUERY_CHARS and "X" not in from_query(query)


def test_selector_choices_read_back_from_a_link_as_themselves():
    for key in SCALARS:
        if isinstance(LabState.param[key], param.Selector):
            for choice in LabState.param[key].objects:
                assert from_query(f"{key}={urllib.parse.quote(choice)}") == {key: choice}


def test_unselects_a_point_that_no_longer_exists():
    state = LabState()
    state.selected = 8
    apply_shared(state, {"X": [[0.0, 0.0]], "y": [1]})
    assert state.selected is None


# Random valid views, drawn from the same declarations the validation reads.
coordinate = st.floats(-1e6, 1e6, allow_nan=False)


def scalar_values(key):
    parameter = LabState.param[key]
    if isinstance(parameter, param.Boolean):
        return st.booleans()
    if isinstance(parameter, param.Selector):
        return st.sampled_from(list(parameter.objects))
    low, high = parameter.bounds
    if isinstance(parameter, param.Integer):
        values = st.integers(low, high)
        return st.none() | values if parameter.allow_None else values
    return st.floats(low, high, allow_nan=False)


@st.composite
def views(draw):
    n = draw(st.integers(0, 12))
    xs, ys = sorted(draw(st.lists(coordinate, min_size=2, max_size=2, unique=True))), \
        sorted(draw(st.lists(coordinate, min_size=2, max_size=2, unique=True)))
    view = {
        "X": draw(st.lists(st.lists(coordinate, min_size=2, max_size=2), min_size=n, max_size=n)),
        "y": draw(st.lists(st.integers(0, 2), min_size=n, max_size=n)),
        "W": draw(st.lists(st.lists(coordinate, min_size=2, max_size=2), min_size=3, max_size=3)),
        "b": draw(st.lists(coordinate, min_size=3, max_size=3)),
        "box": xs + ys,
    }
    view.update({key: draw(scalar_values(key)) for key in SCALARS})
    return view


@settings(max_examples=300, deadline=None)
@given(views())
def test_random_views_round_trip_exactly(view):
    state = LabState()
    apply_shared(state, view)
    assert json.dumps(state_to_dict(state), sort_keys=True) == \
        json.dumps({"version": 1, **view}, sort_keys=True)
    query = to_query(state)
    assert "+" not in query and " " not in query
    assert_values_are_the_states(from_query(query), state)
    assert_values_are_the_states(from_json(to_json(state)), state)


# -- refusals -------------------------------------------------------------------------------------

INVALID_DICTS = [
    [], "loss=softmax", None, 3,
    {"colour": "red"}, {"version": 2}, {"version": "1"}, {"version": True}, {"version": 1.0},
    {"margin": True}, {"margin": "1"}, {"margin": None}, {"margin": [1]}, {"margin": 11.0},
    {"margin": -0.5}, {"margin": math.nan}, {"margin": math.inf}, {"margin": -math.inf},
    {"margin": "nan"}, {"margin": "Infinity"}, {"margin": 10 ** 400},
    {"squared": 1}, {"squared": "true"}, {"loss": "Softmax"}, {"loss": 3}, {"loss": None},
    {"seed": 1.5}, {"seed": True}, {"seed": "3"}, {"seed": -1}, {"seed": 2 ** 31},
    {"batch_size": 0}, {"decay_every": 0}, {"step_size": 0.0}, {"momentum": 1.0},
    {"reg_strength": -0.1}, {"eps": 1.0},
    {"loss": "softmax", "margin": -1.0},  # a good value next to a bad one changes nothing either
    {"X": [[0.0, 0.0]]}, {"y": [0]}, {"X": [[0.0, 0.0]], "y": [0, 1]},
    {"X": [[0.0, 0.0, 0.0]], "y": [0]}, {"X": [0.0, 0.0], "y": [0]}, {"X": "0,0", "y": [0]},
    {"X": [[math.nan, 0.0]], "y": [0]}, {"X": [["nan", 0.0]], "y": [0]},
    {"X": [[True, 0.0]], "y": [0]}, {"X": [[2e6, 0.0]], "y": [0]}, {"X": [[10 ** 30, 0]], "y": [0]},
    {"X": [[0.0, 0.0]] * (MAX_POINTS + 1), "y": [0] * (MAX_POINTS + 1)},
    {"X": [[0.0, 0.0]], "y": [3]}, {"X": [[0.0, 0.0]], "y": [-1]}, {"X": [[0.0, 0.0]], "y": [1.0]},
    {"X": [[0.0, 0.0]], "y": [True]}, {"X": [[0.0, 0.0]], "y": ["0"]},
    {"W": [[1.0, 2.0]] * 2}, {"W": [[1.0, 2.0, 3.0]] * 3}, {"W": [[math.nan, 0.0]] * 3},
    {"W": [[1e7, 0.0]] * 3}, {"W": {"0": [1, 2]}}, {"b": [0.0, 0.0]}, {"b": [0.0, 0.0, math.inf]},
    {"box": [0.0, 1.0, 0.0]}, {"box": [0.0, 0.0, 0.0, 1.0]}, {"box": [0.0, 1.0, 1.0, 0.0]},
    {"box": [0.0, 1.0, math.nan, 1.0]}, {"box": ["0", "1", "0", "1"]},
]


@pytest.mark.parametrize("data", INVALID_DICTS, ids=lambda d: repr(d)[:60])
def test_invalid_views_are_refused_and_change_nothing(data):
    state = LabState()
    state.param.update(loss="one_vs_all", margin=0.5, seed=7)
    before = snapshot(state)
    with pytest.raises(ShareError):
        apply_shared(state, data)
    assert snapshot(state) == before


@pytest.mark.parametrize("data, key", [
    ({"margin": 11.0}, "margin"), ({"colour": 1}, "colour"), ({"X": [[0, 0]], "y": [5]}, "y"),
    ({"box": [1, 0, 0, 1]}, "box"), ({"version": 2}, "version"), ({"batch_size": 0}, "batch_size"),
])
def test_messages_name_the_offending_key(data, key):
    with pytest.raises(ShareError, match=f"'{key}'"):
        state_from_dict(data)


def padded(text, size):
    return text[:-2] + " " * (size - len(text.encode())) + text[-2:]


INVALID_JSON = [
    "", "null", "[]", "3", '"x"', "{", '{"loss": "softmax"', to_json(LabState())[:-5],
    '{"margin": NaN}', '{"margin": Infinity}', '{"margin": -Infinity}', '{"margin": 1e400}',
    '{"margin": "inf"}', '{"margin": "nan"}', '{"loss": "softmax", "loss": "sgd"}',
    '{"seed": 1' + "0" * 5000 + "}", "[" * 100_000, b"\xff\xfe{}", "é" * (MAX_JSON_BYTES // 2 + 1),
    padded(to_json(LabState()), MAX_JSON_BYTES + 1),
    padded(to_json(LabState()), MAX_JSON_BYTES + 1).encode(), 42, None,
]


@pytest.mark.parametrize("text", INVALID_JSON, ids=lambda t: repr(t)[:40])
def test_invalid_files_are_refused(text):
    with pytest.raises(ShareError):
        from_json(text)


def test_size_limit_is_exact():
    text = padded(to_json(LabState()), MAX_JSON_BYTES)
    assert len(text.encode()) == MAX_JSON_BYTES and len(from_json(text)) == len(SHARED)
    assert from_json(b"\xef\xbb\xbf" + b'{"loss": "softmax"}') == {"loss": "softmax"}  # a BOM


INVALID_QUERIES = [
    "margin=nan", "margin=inf", "margin=Infinity", "margin=-inf", "margin=1e400", "margin=",
    "margin=1_0", "margin=%201", "margin=0x1", "margin=1,2", "seed=1.5", "seed=1e3",
    "squared=yes", "squared=1", "squared=True", "loss=Softmax", "loss=", "loss",
    "colour=red", "loss=softmax&loss=sgd", "X=1,2,3&y=0", "X=1,2&y=0,1", "X=1,2&y=3",
    "X=nan,1&y=0", "X=1,2", "y=0", "X=,&y=", "W=1,2,3", "W=1,2,3,4,5,6,7,8", "b=1,2",
    "box=1,0,0,1", "version=2", "version=", "batch_size=0", "batch_size=None",
    "x" * (MAX_QUERY_CHARS + 1), "%ff=1", "margin=%ff", "&" * 100,
    "X=" + ",".join(["0"] * 2 * (MAX_POINTS + 1)) + "&y=" + ",".join(["0"] * (MAX_POINTS + 1)),
    b"margin=1", None,
]


@pytest.mark.parametrize("query", INVALID_QUERIES, ids=lambda q: repr(q)[:40])
def test_invalid_links_are_refused(query):
    with pytest.raises(ShareError):
        from_query(query)


@pytest.mark.parametrize("query, key", [
    ("margin=nan", "margin"), ("seed=1.5", "seed"), ("X=1,2,3&y=0", "X"),
    ("squared=yes", "squared"), ("colour=red", "colour"), ("loss=softmax&loss=sgd", "loss"),
])
def test_link_messages_name_the_offending_key(query, key):
    with pytest.raises(ShareError, match=f"'{key}'"):
        from_query(query)


@pytest.mark.parametrize("key", SCALARS)
def test_bounds_and_choices_come_from_the_declarations(key):
    parameter = LabState.param[key]
    if isinstance(parameter, param.Boolean):
        good, bad = [True, False], [0, 1, "true"]
    elif isinstance(parameter, param.Selector):
        good, bad = list(parameter.objects), ["", "none", 0]
    else:
        low, high = parameter.bounds
        good = [low] + ([high] if high is not None else []) + \
               ([None] if parameter.allow_None else [])
        if isinstance(parameter, param.Integer):
            bad = [low - 1] + ([high + 1] if high is not None else []) + [float(low)]
        else:
            bad = [np.nextafter(low, -np.inf).item(), np.nextafter(high, np.inf).item()]
        bad += [] if parameter.allow_None else [None]
    for value in good:
        assert state_from_dict({key: value}) == {key: value}
    for value in bad:
        with pytest.raises(ShareError, match=f"'{key}'"):
            state_from_dict({key: value})


# -- fuzzing: anything either gives valid values or a ShareError, never anything else -------------

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8),
                                                                       children, max_size=6),
    max_leaves=15,
)
DEFAULT_VIEW = state_to_dict(LabState())
shared_keys = st.sampled_from(list(DEFAULT_VIEW)) | st.text(max_size=8)
good_values = st.sampled_from(list(DEFAULT_VIEW.values()) + [[], [[0.0, 0.0]], [0], [1, 0, 0, 1]])
# Mostly-valid views: the default view with a few values replaced by anything at all.
views_with_junk = st.builds(lambda junk: {**DEFAULT_VIEW, **junk},
                            st.dictionaries(shared_keys, json_like | good_values, max_size=3))
structures = json_like | st.dictionaries(shared_keys, json_like | good_values, max_size=8) | \
    views_with_junk
DEFAULT_QUERY = to_query(LabState())
words = st.text(alphabet="0123456789.,-+eE_xnaifINtrueslonNT% ", max_size=12)


def opens_or_refuses(read, data):
    try:
        values = read(data)
    except ShareError:
        return
    assert_applicable(values)


@FUZZ
@given(structures)
def test_fuzz_json_like_structures(data):
    opens_or_refuses(state_from_dict, data)
    opens_or_refuses(from_json, json.dumps(data))  # NaN and Infinity are written as such
    before = snapshot(FUZZED_LAB)
    try:
        apply_shared(FUZZED_LAB, data)
    except ShareError:
        assert snapshot(FUZZED_LAB) == before


@FUZZ
@given(st.text() | st.binary())
def test_fuzz_arbitrary_file_contents(text):
    opens_or_refuses(from_json, text)


@FUZZ
@given(st.text())
def test_fuzz_arbitrary_links(text):
    opens_or_refuses(from_query, text)


@FUZZ
@given(st.lists(st.tuples(shared_keys, st.lists(words, max_size=8).map(",".join)), max_size=8))
def test_fuzz_links_with_shared_keys(pairs):
    opens_or_refuses(from_query, "&".join(f"{key}={value}" for key, value in pairs))


@FUZZ
@given(st.integers(0, len(SHARED)), words)
def test_fuzz_one_value_of_a_good_link(index, word):
    pairs = DEFAULT_QUERY.split("&")
    key = pairs[index].split("=")[0]
    pairs[index] = f"{key}={word}"
    opens_or_refuses(from_query, "&".join(pairs))
