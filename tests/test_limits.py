"""The lab's one limit on every way in: typing, dragging, adding, zooming, fitting, importing and
training all keep W, b, the points and the view within ±LIMIT (refusing or stopping at it, with a
message), so whatever the lab holds is written to a link and a file that open again, and no
readout shows inf or NaN."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from losslab.session.share_codec import (
    SAFE_QUERY_CHARS,
    ShareError,
    apply_values,
    from_arguments,
    from_json,
    from_query,
    holds_points_by_file,
    share_query,
    to_json,
)
from losslab.session.state import LIMIT, MAX_POINTS, LabState
from losslab.session.training import Training
from losslab.views.readouts import format_number

PAST = [1e7, 1e300, -5e6, float("inf"), float("-inf"), float("nan")]


def assert_shareable(state):
    """The state's address is a safe length and opens to the same lab; so does its file."""
    query, whole = share_query(state)
    assert len(query) <= SAFE_QUERY_CHARS
    values = from_query(query)
    for key in ("W", "b"):
        assert np.array_equal(values[key], getattr(state, key)), key
    assert values["box"] == state.box
    if whole:
        assert np.array_equal(values["X"], state.X) and np.array_equal(values["y"], state.y)
    else:
        assert "X" not in values and "data=file" in query
    again = from_json(to_json(state))
    assert np.array_equal(again["X"], state.X) and np.array_equal(again["W"], state.W)
    ev = state.evaluation
    for value in (ev.data_loss, ev.reg_loss, ev.total_loss, *ev.dW.ravel(), *ev.db):
        assert np.isfinite(value)
        assert "inf" not in format_number(value) and "nan" not in format_number(value)


@pytest.mark.parametrize("value", PAST)
@pytest.mark.parametrize("name, index, label", [("W", (0, 0), "W[0,0]"), ("b", 1, "b[1]")])
def test_a_typed_value_past_the_limit_is_refused_saying_what_stays(name, index, label, value):
    state = LabState()
    before = np.array(getattr(state, name))
    assert state.set_parameter(name, index, value) is False
    assert np.array_equal(getattr(state, name), before)
    assert state.message.startswith(f"{label} must be a number between −1,000,000 and 1,000,000")
    assert state.message.endswith(f"so {label} is still {before[index]:g}.")
    assert_shareable(state)


def test_text_that_is_not_a_number_is_named_in_the_refusal():
    state = LabState()
    assert state.set_parameter("W", (2, 1), float("nan"), typed="1e400") is False
    assert "“1e400” was not applied" in state.message


def test_the_limit_itself_is_accepted():
    state = LabState()
    assert state.set_parameter("W", (0, 0), LIMIT) and state.set_parameter("b", 2, -LIMIT)
    assert state.W[0, 0] == LIMIT and state.b[2] == -LIMIT and state.message == ""
    assert_shareable(state)


def test_a_point_dragged_past_the_limit_stops_at_it():
    state = LabState()
    state.move_point(0, 5e6, -5e6)
    assert tuple(state.X[0]) == (LIMIT, -LIMIT)
    assert "stopped at the edge" in state.message
    assert_shareable(state)


def test_a_point_added_past_the_limit_is_refused():
    state = LabState()
    n = len(state.X)
    state.add_point(5e6, 0.0, 1)
    assert len(state.X) == n and state.message.startswith("No point was added")
    state.add_point(LIMIT, -LIMIT, 1)
    assert len(state.X) == n + 1
    assert_shareable(state)


def test_a_zoom_past_the_limit_is_narrowed_to_it_and_a_pan_is_moved_back():
    state = LabState()
    assert state.set_box((-2e6, 2e6, -2e6, 2e6)) == (-LIMIT, LIMIT, -LIMIT, LIMIT)
    assert "reaches at most" in state.message
    # Panned past the edge, the view keeps its size and stops at the edge.
    assert state.set_box((LIMIT - 2, LIMIT + 2, 0, 4)) == (LIMIT - 4, LIMIT, 0, 4)
    # A box with no width, or with a number that is not finite, is not a view.
    assert state.set_box((1, 1, 0, 1)) == state.box == (LIMIT - 4, LIMIT, 0, 4)
    assert state.set_box((0, float("inf"), 0, 1)) == (LIMIT - 4, LIMIT, 0, 4)
    assert_shareable(state)


def test_fit_view_on_points_at_the_limit_stays_within_it():
    state = LabState()
    state.param.update(X=np.array([[-LIMIT, -LIMIT], [LIMIT, LIMIT]]), y=np.array([0, 1]))
    state.fit_view()
    assert state.box == (-LIMIT, LIMIT, -LIMIT, LIMIT)
    assert_shareable(state)


def test_a_run_stops_before_a_parameter_passes_the_limit():
    state = LabState(step_size=10.0)
    state.set_parameter("W", (0, 0), LIMIT)
    training = Training(state)
    for _ in range(50):
        training.step()
    assert np.abs(state.W).max() <= LIMIT and np.abs(state.b).max() <= LIMIT
    assert_shareable(state)


def test_the_largest_data_set_writes_a_safe_link_without_its_points():
    rng = np.random.default_rng(0)
    state = LabState()
    state.param.update(X=rng.uniform(-LIMIT, LIMIT, (MAX_POINTS, 2)),
                       y=rng.integers(0, 3, MAX_POINTS))
    query, whole = share_query(state)
    assert not whole and len(query) <= SAFE_QUERY_CHARS
    assert_shareable(state)


def test_a_link_whose_points_travel_by_file_opens_the_rest_and_says_so():
    state = LabState(loss="softmax")
    state.param.update(X=np.zeros((MAX_POINTS, 2)) + 0.123456789, y=np.zeros(MAX_POINTS, int))
    query, _ = share_query(state)
    arguments = {key: [value.encode()] for key, value in
                 (pair.split("=", 1) for pair in query.split("&"))}
    assert holds_points_by_file(arguments)
    values = from_arguments(arguments)
    assert values["loss"] == "softmax" and "X" not in values
    with pytest.raises(ShareError, match="data=file"):
        from_query(query + "&X=1,2&y=0")
    with pytest.raises(ShareError, match="'data'"):
        from_query("data=points")


def test_a_file_past_the_limit_is_refused_and_changes_nothing():
    state = LabState()
    before = to_json(state)
    for key, value in (("W", [[1e7, 0], [0, 0], [0, 0]]), ("b", [0, 1e300, 0]),
                       ("X", [[5e6, 0]]), ("box", [-2e6, 2e6, -1, 1])):
        data = {key: value, **({"y": [0]} if key == "X" else {})}
        with pytest.raises(ShareError, match=repr(key)):
            apply_values(state, from_json(json.dumps(data)))
    assert to_json(state) == before


finite = st.floats(allow_nan=True, allow_infinity=True)
ways_in = st.lists(st.one_of(
    st.tuples(st.just("type W"), st.integers(0, 2), st.integers(0, 1), finite),
    st.tuples(st.just("type b"), st.integers(0, 2), finite),
    st.tuples(st.just("drag"), st.integers(0, 8), finite, finite),
    st.tuples(st.just("add"), finite, finite, st.integers(0, 2)),
    st.tuples(st.just("zoom"), finite, finite, finite, finite),
    st.tuples(st.just("fit")),
    st.tuples(st.just("step"), st.floats(1e-4, 10.0)),
    st.tuples(st.just("import"), st.sampled_from(["W", "b", "X", "box"]), finite),
    st.tuples(st.just("randomize")),
), max_size=15)


@settings(max_examples=150, deadline=None)
@given(ways_in)
def test_whatever_the_lab_holds_is_written_to_a_link_and_a_file_that_open_again(actions):
    state = LabState()
    training = Training(state)
    for kind, *args in actions:
        if kind == "type W":
            state.set_parameter("W", (args[0], args[1]), args[2])
        elif kind == "type b":
            state.set_parameter("b", args[0], args[1])
        elif kind == "drag":
            state.move_point(min(args[0], len(state.X) - 1), args[1], args[2])
        elif kind == "add":
            state.add_point(*args)
        elif kind == "zoom":
            state.set_box(args)
        elif kind == "fit":
            state.fit_view()
        elif kind == "step":
            state.step_size = args[0]
            training.step()
        elif kind == "import":
            key, value = args
            data = {"W": [[value, 0], [0, 0], [0, 0]], "b": [value, 0, 0],
                    "X": [[value, 0]], "box": [-1, 1, value, value + 1]}[key]
            try:
                apply_values(state, from_json(json.dumps({key: data, "y": [0]} if key == "X"
                                                         else {key: data})))
            except ShareError:
                pass
        else:
            state.randomize()
    assert_shareable(state)
