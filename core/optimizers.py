"""First-order optimizers of the lecture: SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam.

The update rules are the usual ones (the same as ``torch.optim``, without weight decay: the
regularization is part of the loss, so the optimizer only ever sees the total gradient ``g``)::

    SGD        θ ← θ − α g
    Momentum   v ← μ v + g;                     θ ← θ − α v
    Nesterov   v ← μ v + g;                     θ ← θ − α (g + μ v)
    AdaGrad    r ← r + g²;                      θ ← θ − α g / (√r + ε)
    RMSProp    r ← ρ r + (1 − ρ) g²;            θ ← θ − α g / (√r + ε)
    Adam       m ← β1 m + (1 − β1) g;  v ← β2 v + (1 − β2) g²;  t ← t + 1
               θ ← θ − α m̂ / (√v̂ + ε),   m̂ = m / (1 − β1^t),  v̂ = v / (1 − β2^t)

Parameters and gradients are dicts of arrays with the same keys and shapes (LossLab uses
``{"W": (C, 2), "b": (C,)}``). ``step`` returns new arrays and never writes into its inputs, so a
caller can keep the previous parameters (for a history, or to undo a diverging step).

An optimizer's memory (velocities, running averages) is not hidden: ``state()`` returns a copy of
all of it as ``{slot: {key: array}}`` and ``load_state`` puts it back, so a session can be saved,
shared and resumed exactly.

What each optimizer takes and keeps is declared on its class, so a caller can read it without
building one: ``hyperparameter_names`` (the settings besides the step size), ``slots`` (the names
of its memory) and ``carried`` (the slot that is a direction carried from step to step —
Momentum's velocity, Adam's first moment — or None).
"""

from __future__ import annotations

import math

import numpy as np

Arrays = dict[str, np.ndarray]
State = dict[str, dict[str, np.ndarray]]


def _positive_finite(name: str, value: float) -> float:
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def _decay_rate(name: str, value: float) -> float:
    # A rate of 1 would never forget (and Adam's bias correction would divide by 0).
    value = float(value)
    if not (0.0 <= value < 1.0):
        raise ValueError(f"{name} must satisfy 0 <= {name} < 1, got {value!r}")
    return value


class Optimizer:
    """Base class. Subclasses set ``name``, ``hyperparameter_names``, ``slots``, ``carried`` and
    ``_update``.

    ``step_size`` (α) is a plain attribute so a schedule can change it between steps; it is
    checked on every assignment.
    """

    name = "optimizer"
    hyperparameter_names: tuple[str, ...] = ()
    """The keyword arguments of the constructor besides ``step_size``."""
    slots: tuple[str, ...] = ()
    """The names of the memory ``state()`` returns."""
    carried: str | None = None
    """The slot holding a direction the optimizer carries over between steps, if any."""

    def __init__(self, step_size: float):
        self.step_size = step_size
        self.reset()

    @property
    def step_size(self) -> float:
        return self._step_size

    @step_size.setter
    def step_size(self, value: float) -> None:
        self._step_size = _positive_finite("step_size", value)

    @property
    def hyperparameters(self) -> dict[str, float]:
        """The settings other than the step size, e.g. ``{"momentum": 0.9}``."""
        return {name: getattr(self, name) for name in self.hyperparameter_names}

    def reset(self) -> None:
        """Forget everything learned from past gradients (as if no step had been taken)."""
        self._state: State = {slot: {} for slot in self.slots}

    def state(self) -> State:
        """A copy of the optimizer's memory: ``{slot: {param_key: array}}``.

        Empty per-slot dicts mean no step has been taken yet; the memory of a parameter is
        created (as zeros) at its first step.
        """
        return {slot: {k: v.copy() for k, v in per_key.items()} for slot, per_key in self._state.items()}

    def load_state(self, state: State) -> None:
        """Restore a memory produced by ``state()`` (it is copied, so the caller keeps theirs)."""
        if set(state) != set(self.slots):
            raise ValueError(
                f"{self.name} state needs the slots {sorted(self.slots)}, got {sorted(state)}"
            )
        self._state = {
            slot: {k: np.array(v, dtype=float) for k, v in state[slot].items()} for slot in self.slots
        }

    def step(self, params: Arrays, grads: Arrays) -> Arrays:
        """One update. ``params`` and ``grads``: dicts with the same keys and shapes.

        Returns a new dict of new arrays; the inputs are left untouched.
        """
        new = {}
        for key, theta in params.items():
            theta = np.asarray(theta, dtype=float)
            g = np.asarray(grads[key], dtype=float)
            if g.shape != theta.shape:
                raise ValueError(f"gradient of {key!r} has shape {g.shape}, parameter has {theta.shape}")
            new[key] = theta - self.step_size * self._update(key, g)
        return new

    def _memory(self, slot: str, key: str, like: np.ndarray) -> np.ndarray:
        return self._state[slot].get(key, np.zeros_like(like))

    def _update(self, key: str, g: np.ndarray) -> np.ndarray:
        """The direction d of θ ← θ − α d; updates the memory of ``key`` (new arrays, not in place)."""
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"{type(self).__name__}(step_size={self.step_size!r}{', ' if settings else ''}{settings})"


class SGD(Optimizer):
    """Plain (stochastic) gradient descent: θ ← θ − α g. No memory."""

    name = "sgd"

    def _update(self, key, g):
        return g


class Momentum(Optimizer):
    """Heavy ball: the velocity v accumulates gradients, θ moves along v."""

    name = "momentum"
    hyperparameter_names = ("momentum",)
    slots = ("velocity",)
    carried = "velocity"

    def __init__(self, step_size: float, momentum: float = 0.9):
        self.momentum = _decay_rate("momentum", momentum)
        super().__init__(step_size)


    def _update(self, key, g):
        v = self.momentum * self._memory("velocity", key, g) + g
        self._state["velocity"][key] = v
        return v


class Nesterov(Momentum):
    """Nesterov momentum: the step looks ahead along the new velocity, g + μ v."""

    name = "nesterov"

    def _update(self, key, g):
        v = super()._update(key, g)
        return g + self.momentum * v


class AdaGrad(Optimizer):
    """Per-coordinate step sizes: divide by the root of the sum of all past squared gradients."""

    name = "adagrad"
    hyperparameter_names = ("eps",)
    slots = ("sum_sq",)

    def __init__(self, step_size: float, eps: float = 1e-10):
        self.eps = _positive_finite("eps", eps)
        super().__init__(step_size)


    def _update(self, key, g):
        r = self._memory("sum_sq", key, g) + g * g
        self._state["sum_sq"][key] = r
        return g / (np.sqrt(r) + self.eps)


class RMSProp(Optimizer):
    """AdaGrad with a leaky (exponentially decaying) average, so old gradients are forgotten."""

    name = "rmsprop"
    hyperparameter_names = ("rho", "eps")
    slots = ("mean_sq",)

    def __init__(self, step_size: float, rho: float = 0.99, eps: float = 1e-8):
        self.rho = _decay_rate("rho", rho)
        self.eps = _positive_finite("eps", eps)
        super().__init__(step_size)


    def _update(self, key, g):
        r = self.rho * self._memory("mean_sq", key, g) + (1 - self.rho) * g * g
        self._state["mean_sq"][key] = r
        return g / (np.sqrt(r) + self.eps)


class Adam(Optimizer):
    """Momentum (first moment m) plus RMSProp (second moment v), both bias-corrected.

    The step count t is kept per parameter (slot ``"t"``, a 0-d array) like the moments, so the
    whole state has one shape: ``{"m": {...}, "v": {...}, "t": {...}}``.
    """

    name = "adam"
    hyperparameter_names = ("beta1", "beta2", "eps")
    slots = ("m", "v", "t")
    carried = "m"

    def __init__(self, step_size: float, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
        self.beta1 = _decay_rate("beta1", beta1)
        self.beta2 = _decay_rate("beta2", beta2)
        self.eps = _positive_finite("eps", eps)
        super().__init__(step_size)


    def _update(self, key, g):
        m = self.beta1 * self._memory("m", key, g) + (1 - self.beta1) * g
        v = self.beta2 * self._memory("v", key, g) + (1 - self.beta2) * g * g
        t = float(self._state["t"].get(key, 0.0)) + 1
        self._state["m"][key], self._state["v"][key] = m, v
        self._state["t"][key] = np.array(t)
        # Without the correction the first steps would be far too small: m and v start at 0.
        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        return m_hat / (np.sqrt(v_hat) + self.eps)


OPTIMIZERS: dict[str, type[Optimizer]] = {
    cls.name: cls for cls in (SGD, Momentum, Nesterov, AdaGrad, RMSProp, Adam)
}


def make_optimizer(name: str, step_size: float, **hyper: float) -> Optimizer:
    """Build an optimizer by its name in ``OPTIMIZERS``, e.g. ``make_optimizer("adam", 1e-2, beta1=0.8)``.

    Unknown names, unknown hyper-parameters and out-of-range values raise ``ValueError``.
    """
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    cls = OPTIMIZERS[name]
    allowed = cls.hyperparameter_names
    unknown = sorted(set(hyper) - set(allowed))
    if unknown:
        accepts = ", ".join(allowed) if allowed else "no hyper-parameters"
        raise ValueError(f"{name} does not take {', '.join(unknown)}; it accepts {accepts}")
    return cls(step_size, **hyper)
