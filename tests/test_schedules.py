"""Step-size schedules: constant, step decay, exponential decay, and their validation."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from losslab.core.schedules import SCHEDULES, step_size_at

bases = st.floats(1e-4, 10.0)
rates = st.floats(0.01, 1.0)
periods = st.integers(1, 1000)


def test_the_three_schedules():
    assert SCHEDULES == ("constant", "step", "exponential")


@given(base=bases, step=st.integers(0, 10**6), rate=rates, every=periods)
def test_constant_is_the_base_at_every_step(base, step, rate, every):
    assert step_size_at("constant", base, step, decay_rate=rate, decay_every=every) == base


def test_step_decay_halves_at_exactly_k_and_2k():
    values = {t: step_size_at("step", 0.1, t, decay_rate=0.5, decay_every=100)
              for t in (0, 1, 99, 100, 101, 199, 200, 299, 300)}
    assert values == {0: 0.1, 1: 0.1, 99: 0.1, 100: 0.05, 101: 0.05, 199: 0.05, 200: 0.025,
                      299: 0.025, 300: 0.0125}


def test_defaults_are_half_every_hundred_steps():
    assert step_size_at("step", 1.0, 99) == 1.0
    assert step_size_at("step", 1.0, 100) == 0.5
    assert step_size_at("exponential", 1.0, 50) == pytest.approx(0.5**0.5, rel=1e-15)


def test_exponential_decay_values():
    # 0.8^(t/4): the fourth root of 0.8 per step
    for t in range(13):
        assert step_size_at("exponential", 2.0, t, decay_rate=0.8, decay_every=4) == pytest.approx(
            2.0 * 0.8 ** (t / 4), rel=1e-15)
    assert step_size_at("exponential", 1.0, 1, decay_rate=0.5, decay_every=2) == pytest.approx(
        math.sqrt(0.5), rel=1e-15)


@given(base=bases, rate=rates, every=periods, multiple=st.integers(0, 50))
def test_both_decays_agree_exactly_at_multiples_of_k(base, rate, every, multiple):
    t = multiple * every
    exponential = step_size_at("exponential", base, t, decay_rate=rate, decay_every=every)
    assert exponential == step_size_at("step", base, t, decay_rate=rate, decay_every=every)


@given(base=bases, rate=st.floats(0.01, 0.99), every=st.integers(2, 50), level=st.integers(0, 20))
def test_exponential_slides_down_between_two_step_levels(base, rate, every, level):
    settings = dict(decay_rate=rate, decay_every=every)
    ts = range(level * every, (level + 1) * every + 1)
    smooth = np.array([step_size_at("exponential", base, t, **settings) for t in ts])
    upper = step_size_at("step", base, level * every, **settings)
    lower = step_size_at("step", base, (level + 1) * every, **settings)
    assert (np.diff(smooth) <= 0).all()
    assert smooth[0] == upper and smooth[-1] == lower
    # Never outside the two levels it connects.
    assert (smooth <= upper).all() and (smooth >= lower).all()


@pytest.mark.parametrize("schedule", ["step", "exponential"])
def test_rate_one_never_decays(schedule):
    assert step_size_at(schedule, 0.3, 12345, decay_rate=1.0, decay_every=1) == 0.3


@pytest.mark.parametrize("schedule", ["step", "exponential"])
def test_a_long_decay_stays_a_valid_step_size(schedule):
    # 0.01^1000 underflows; the schedule must still hand out something an optimizer accepts.
    value = step_size_at(schedule, 1.0, 1000, decay_rate=0.01, decay_every=1)
    assert 0 < value < 1e-300


def test_numpy_integers_are_whole_numbers():
    assert step_size_at("step", 1.0, np.int64(200), decay_every=np.int32(100)) == 0.25


def test_unknown_schedule_names_the_choices():
    with pytest.raises(ValueError, match="'constant', 'step', 'exponential'"):
        step_size_at("cosine", 0.1, 0)


@pytest.mark.parametrize("schedule", SCHEDULES)
@pytest.mark.parametrize("kwargs, message", [
    (dict(base=0.0), "base step size"),
    (dict(base=-0.1), "base step size"),
    (dict(base=math.inf), "base step size"),
    (dict(base=math.nan), "base step size"),
    (dict(decay_rate=0.0), "decay_rate"),
    (dict(decay_rate=1.5), "decay_rate"),
    (dict(decay_rate=-0.5), "decay_rate"),
    (dict(decay_rate=math.nan), "decay_rate"),
    (dict(decay_every=0), "decay_every"),
    (dict(decay_every=2.5), "decay_every"),
    (dict(decay_every=True), "decay_every"),
    (dict(step=-1), "step"),
    (dict(step=1.5), "step"),
])
def test_invalid_numbers_are_rejected_for_every_schedule(schedule, kwargs, message):
    settings = dict(base=0.1, step=3, decay_rate=0.5, decay_every=10) | kwargs
    base, step = settings.pop("base"), settings.pop("step")
    with pytest.raises(ValueError, match=message):
        step_size_at(schedule, base, step, **settings)
