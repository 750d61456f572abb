"""Optimizers against their update formulas, written out again here step by step."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from losslab.core.optimizers import (
    OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    Optimizer,
    RMSProp,
    make_optimizer,
)

KEYS = ("W", "b")
STEPS = 6


def random_problem(seed=0, steps=STEPS):
    rng = np.random.default_rng(seed)
    params = {"W": rng.normal(size=(3, 2)), "b": rng.normal(size=3)}
    grads = [{"W": rng.normal(size=(3, 2)), "b": rng.normal(size=3)} for _ in range(steps)]
    return params, grads


# Reference updates: one function per optimizer, taking a parameter, its gradient and a dict of
# that parameter's memory (edited here), returning the new parameter.

def ref_sgd(theta, g, mem, alpha):
    return theta - alpha * g


def ref_momentum(theta, g, mem, alpha, momentum=0.9):
    mem["v"] = momentum * mem.get("v", 0.0) + g
    return theta - alpha * mem["v"]


def ref_nesterov(theta, g, mem, alpha, momentum=0.9):
    mem["v"] = momentum * mem.get("v", 0.0) + g
    return theta - alpha * (g + momentum * mem["v"])


def ref_adagrad(theta, g, mem, alpha, eps=1e-10):
    mem["r"] = mem.get("r", 0.0) + g**2
    return theta - alpha * g / (np.sqrt(mem["r"]) + eps)


def ref_rmsprop(theta, g, mem, alpha, rho=0.99, eps=1e-8):
    mem["r"] = rho * mem.get("r", 0.0) + (1 - rho) * g**2
    return theta - alpha * g / (np.sqrt(mem["r"]) + eps)


def ref_adam(theta, g, mem, alpha, beta1=0.9, beta2=0.999, eps=1e-8):
    mem["t"] = mem.get("t", 0) + 1
    mem["m"] = beta1 * mem.get("m", 0.0) + (1 - beta1) * g
    mem["v"] = beta2 * mem.get("v", 0.0) + (1 - beta2) * g**2
    m_hat = mem["m"] / (1 - beta1 ** mem["t"])
    v_hat = mem["v"] / (1 - beta2 ** mem["t"])
    return theta - alpha * m_hat / (np.sqrt(v_hat) + eps)


CASES = [
    ("sgd", {}, ref_sgd),
    ("momentum", {}, ref_momentum),
    ("momentum", {"momentum": 0.5}, ref_momentum),
    ("nesterov", {}, ref_nesterov),
    ("nesterov", {"momentum": 0.7}, ref_nesterov),
    ("adagrad", {}, ref_adagrad),
    ("adagrad", {"eps": 1e-3}, ref_adagrad),
    ("rmsprop", {}, ref_rmsprop),
    ("rmsprop", {"rho": 0.5, "eps": 1e-4}, ref_rmsprop),
    ("adam", {}, ref_adam),
    ("adam", {"beta1": 0.5, "beta2": 0.8, "eps": 1e-3}, ref_adam),
]
DEFAULT_REFS = {name: ref for name, hyper, ref in CASES if not hyper}


def reference_trajectory(ref, params, grads, alphas, hyper):
    """The parameters after each step; ``alphas`` is the step size of each step."""
    memory = {k: {} for k in KEYS}
    theta = {k: params[k].copy() for k in KEYS}
    out = []
    for alpha, g in zip(alphas, grads):
        theta = {k: ref(theta[k], g[k], memory[k], alpha, **hyper) for k in KEYS}
        out.append(theta)
    return out


def run(opt, params, grads):
    out = []
    for g in grads:
        params = opt.step(params, g)
        out.append(params)
    return out


def assert_same(a, b, **tol):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_allclose(a[k], b[k], **tol)


@pytest.mark.parametrize("name, hyper, ref", CASES)
def test_matches_update_formula_step_by_step(name, hyper, ref):
    params, grads = random_problem()
    alpha = 0.05
    got = run(make_optimizer(name, alpha, **hyper), params, grads)
    want = reference_trajectory(ref, params, grads, [alpha] * len(grads), hyper)
    for g, w in zip(got, want):
        assert_same(g, w, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_size_can_change_between_steps(name):
    # A schedule sets step_size before each step; the update must use the current value.
    params, grads = random_problem()
    schedule = [0.1 / (i + 1) for i in range(len(grads))]
    opt = make_optimizer(name, 1.0)
    got = params
    for alpha, g in zip(schedule, grads):
        opt.step_size = alpha
        got = opt.step(got, g)
    want = reference_trajectory(DEFAULT_REFS[name], params, grads, schedule, {})[-1]
    assert_same(got, want, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_step_never_mutates_its_inputs(name):
    params, grads = random_problem()
    opt = make_optimizer(name, 0.1)
    for g in grads:
        before_p = {k: v.copy() for k, v in params.items()}
        before_g = {k: v.copy() for k, v in g.items()}
        new = opt.step(params, g)
        assert_same(params, before_p, rtol=0, atol=0)
        assert_same(g, before_g, rtol=0, atol=0)
        assert all(new[k] is not params[k] and not np.shares_memory(new[k], params[k]) for k in KEYS)
        params = new


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_reset_forgets_the_past(name):
    params, grads = random_problem()
    used = make_optimizer(name, 0.1)
    run(used, params, grads)
    used.reset()
    assert all(per_key == {} for per_key in used.state().values())
    assert_same(used.step(params, grads[0]), make_optimizer(name, 0.1).step(params, grads[0]), rtol=0, atol=0)


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_round_trip_continues_identically(name):
    params, grads = random_problem(steps=8)
    original = make_optimizer(name, 0.1)
    middle = run(original, params, grads[:4])[-1]
    saved = original.state()
    copy = make_optimizer(name, 0.1)
    copy.load_state(saved)
    # Mutating what was saved or loaded must not reach into either optimizer.
    for per_key in saved.values():
        for v in per_key.values():
            v[...] = 1e9
    rest_a = run(original, middle, grads[4:])
    rest_b = run(copy, middle, grads[4:])
    for a, b in zip(rest_a, rest_b):
        assert_same(a, b, rtol=0, atol=0)


def test_state_slots_are_named_after_the_lecture():
    params, grads = random_problem(steps=1)
    expected = {
        "sgd": set(),
        "momentum": {"velocity"},
        "nesterov": {"velocity"},
        "adagrad": {"sum_sq"},
        "rmsprop": {"mean_sq"},
        "adam": {"m", "v", "t"},
    }
    for name, slots in expected.items():
        opt = make_optimizer(name, 0.1)
        opt.step(params, grads[0])
        state = opt.state()
        assert set(state) == slots
        assert all(set(per_key) == set(KEYS) for per_key in state.values())


def test_adam_counts_steps():
    params, grads = random_problem(steps=3)
    opt = Adam(0.1)
    run(opt, params, grads)
    assert all(float(t) == 3 for t in opt.state()["t"].values())


def test_load_state_rejects_other_slots():
    with pytest.raises(ValueError, match="velocity"):
        Momentum(0.1).load_state({"m": {}, "v": {}, "t": {}})


def test_load_state_accepts_lists():
    # The app saves the state as JSON; lists must come back as arrays.
    opt = Momentum(0.1)
    opt.load_state({"velocity": {"W": [[1.0, 2.0]] * 3, "b": [0.0, 1.0, 2.0]}})
    new = opt.step({"W": np.zeros((3, 2)), "b": np.zeros(3)}, {"W": np.zeros((3, 2)), "b": np.zeros(3)})
    np.testing.assert_allclose(new["b"], -0.1 * 0.9 * np.array([0.0, 1.0, 2.0]))


def test_defaults():
    assert Momentum(1).momentum == 0.9
    assert Nesterov(1).momentum == 0.9
    assert AdaGrad(1).eps == 1e-10
    assert (RMSProp(1).rho, RMSProp(1).eps) == (0.99, 1e-8)
    assert (Adam(1).beta1, Adam(1).beta2, Adam(1).eps) == (0.9, 0.999, 1e-8)
    assert make_optimizer("adam", 1).hyperparameters == {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}
    assert make_optimizer("sgd", 1).hyperparameters == {}
    assert make_optimizer("rmsprop", 1, rho=0.9).hyperparameters == {"rho": 0.9, "eps": 1e-8}


def test_registry():
    assert list(OPTIMIZERS) == ["sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]
    for name, cls in OPTIMIZERS.items():
        opt = make_optimizer(name, 0.5)
        assert isinstance(opt, cls) and isinstance(opt, Optimizer)
        assert opt.name == name and opt.step_size == 0.5
        assert "step_size" not in opt.hyperparameters
    assert [SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam] == list(OPTIMIZERS.values())


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="sgd, momentum, nesterov, adagrad, rmsprop, adam"):
        make_optimizer("lbfgs", 0.1)


@pytest.mark.parametrize("name, hyper", [
    ("sgd", {"momentum": 0.9}),
    ("momentum", {"rho": 0.9}),
    ("adam", {"beta3": 0.9}),
    ("adagrad", {"step": 1}),
])
def test_unknown_hyperparameter(name, hyper):
    with pytest.raises(ValueError, match=next(iter(hyper))):
        make_optimizer(name, 0.1, **hyper)


@pytest.mark.parametrize("step_size", [0, -0.1, math.nan, math.inf, -math.inf])
def test_step_size_must_be_positive_and_finite(step_size):
    with pytest.raises(ValueError, match="step_size"):
        make_optimizer("sgd", step_size)
    opt = SGD(0.1)
    with pytest.raises(ValueError, match="step_size"):
        opt.step_size = step_size
    assert opt.step_size == 0.1


@pytest.mark.parametrize("name, hyper", [
    ("momentum", {"momentum": 1.0}),
    ("momentum", {"momentum": -0.1}),
    ("nesterov", {"momentum": 1.5}),
    ("rmsprop", {"rho": 1.0}),
    ("rmsprop", {"rho": -0.5}),
    ("rmsprop", {"eps": 0.0}),
    ("adagrad", {"eps": -1e-8}),
    ("adagrad", {"eps": math.nan}),
    ("adam", {"beta1": 1.0}),
    ("adam", {"beta2": -0.1}),
    ("adam", {"beta2": math.nan}),
    ("adam", {"eps": math.inf}),
])
def test_hyperparameters_are_validated(name, hyper):
    with pytest.raises(ValueError, match=next(iter(hyper))):
        make_optimizer(name, 0.1, **hyper)


def test_zero_decay_is_allowed_and_reduces_to_sgd():
    params, grads = random_problem()
    sgd = run(SGD(0.1), params, grads)
    for opt in (Momentum(0.1, momentum=0.0), Nesterov(0.1, momentum=0.0)):
        for a, b in zip(run(opt, params, grads), sgd):
            assert_same(a, b, rtol=1e-15, atol=0)


def test_first_adam_step_moves_each_coordinate_by_about_alpha():
    # The lecture's reason for bias correction: step 1 is ≈ α·sign(g), whatever |g| is.
    params = {"W": np.zeros((3, 2)), "b": np.zeros(3)}
    grads = {"W": np.array([[1e-3, -5.0], [2.0, -0.1], [40.0, 1.0]]), "b": np.array([-3.0, 0.01, 7.0])}
    new = Adam(0.01).step(params, grads)
    for k in KEYS:
        np.testing.assert_allclose(new[k], -0.01 * np.sign(grads[k]), rtol=1e-4)


def test_mismatched_gradient_shape():
    with pytest.raises(ValueError, match="shape"):
        SGD(0.1).step({"W": np.zeros((3, 2))}, {"W": np.zeros((2, 3))})


@settings(max_examples=50, deadline=None)
@given(
    name=st.sampled_from(list(OPTIMIZERS)),
    g=arrays(np.float64, (3, 2), elements=st.floats(-1e6, 1e6)),
    alpha=st.floats(1e-6, 10.0),
)
def test_steps_are_finite_and_leave_inputs_alone(name, g, alpha):
    theta = np.ones((3, 2))
    g_before = g.copy()
    opt = make_optimizer(name, alpha)
    new = opt.step({"W": theta}, {"W": g})
    new = opt.step(new, {"W": g})
    assert np.isfinite(new["W"]).all()
    np.testing.assert_array_equal(theta, np.ones((3, 2)))
    np.testing.assert_array_equal(g, g_before)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_what_an_optimizer_takes_and_keeps_is_declared_on_its_class(name):
    import inspect

    cls = OPTIMIZERS[name]
    keywords = [p for p in inspect.signature(cls).parameters if p != "step_size"]
    assert list(cls.hyperparameter_names) == keywords
    assert cls.carried is None or cls.carried in cls.slots
    optimizer = make_optimizer(name, 0.1)
    assert list(optimizer.hyperparameters) == keywords
    assert set(optimizer.state()) == set(cls.slots)
