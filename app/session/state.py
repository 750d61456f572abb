"""One browser session's lab: the data, the classifier, every setting, and what core makes of them.

The state is the single source of truth of a session. Widgets write to it, views read from it, and
`evaluation` is recomputed once per change, however many parameters the change touched.
"""

import numpy as np
import param

from losslab import core
from losslab.session.history import LossHistory

LOSS_LABELS = {
    "Weston–Watkins": "weston_watkins",
    "One-vs-All": "one_vs_all",
    "Structured": "structured_svm",
    "Softmax": "softmax",
}
REGULARIZER_LABELS = {"L2": "l2", "L1": "l1", "Elastic net": "elastic_net"}
OPTIMIZER_LABELS = {
    "SGD": "sgd",
    "Momentum": "momentum",
    "Nesterov": "nesterov",
    "AdaGrad": "adagrad",
    "RMSProp": "rmsprop",
    "Adam": "adam",
}

SCHEDULE_LABELS = {
    "Constant": "constant",
    "Step decay": "step",
    "Exponential decay": "exponential",
}

MAX_POINTS = 2000
"""Most points a data set may hold: enough for any lecture, few enough to stay immediate."""

GROWTH_LIMIT = 1e3
"""A run diverges when its total loss grows past this many times the loss it started from."""

PARAMETER_LIMIT = 1e6
"""Largest magnitude a weight or bias may take; beyond it a run stops as diverged."""


def _readonly(array):
    array = np.array(array, dtype=float)
    array.setflags(write=False)
    return array


class LabState(param.Parameterized):
    """The classifier ``s = W x + b`` on a 2-D data set, its loss, and its optimizer."""

    X = param.Array(doc="Data points, shape (N, 2).")
    y = param.Array(doc="Class label of each point, shape (N,), in 0 … C−1.")
    W = param.Array(doc="Weights, shape (C, 2); row k is class k's classifier.")
    b = param.Array(doc="Biases, shape (C,).")

    loss = param.Selector(objects=LOSS_LABELS, default="weston_watkins", doc="Data loss per point.")
    margin = param.Number(1.0, bounds=(0.0, 10.0), doc="Margin Δ of the hinge losses.")
    squared = param.Boolean(False, doc="Square each hinge term: max(0, m)².")
    reg = param.Selector(objects=REGULARIZER_LABELS, default="l2", doc="Penalty on W.")
    reg_strength = param.Number(0.1, bounds=(0.0, 10.0), doc="Regularization strength λ.")
    beta = param.Number(0.5, bounds=(0.0, 10.0), doc="Weight β of λΣW² in the elastic net.")

    optimizer = param.Selector(objects=OPTIMIZER_LABELS, default="sgd", doc="Update rule.")
    step_size = param.Number(0.1, bounds=(1e-4, 10.0), doc="Step size α of each update.")
    momentum = param.Number(0.9, bounds=(0.0, 0.999), doc="Momentum μ (Momentum, Nesterov).")
    rho = param.Number(0.99, bounds=(0.0, 0.9999), doc="Decay ρ of RMSProp's mean square.")
    beta1 = param.Number(0.9, bounds=(0.0, 0.9999), doc="Adam's decay β1 of the first moment.")
    beta2 = param.Number(0.999, bounds=(0.0, 0.99999), doc="Adam's decay β2 of the second moment.")
    eps = param.Number(1e-8, bounds=(1e-12, 1e-2), doc="ε of AdaGrad, RMSProp and Adam.")
    batch_size = param.Integer(None, bounds=(1, None), allow_None=True,
                               doc="Points per mini-batch; None for all of them (full batch).")
    seed = param.Integer(0, bounds=(0, 2**31 - 1), doc="Seed of the mini-batch draws.")
    schedule = param.Selector(objects=SCHEDULE_LABELS, default="constant", doc="Step-size schedule.")
    decay_rate = param.Number(0.5, bounds=(0.01, 1.0), doc="Factor γ the step size decays by…")
    decay_every = param.Integer(100, bounds=(1, 100_000), doc="…every this many steps.")

    show_pulls = param.Boolean(False, doc="Draw each point's pull on each class's weights.")
    presentation = param.Boolean(False, doc="Large type and thick lines for a projector.")

    box = param.NumericTuple(core.DEFAULT_BOX, length=4, doc="View box (xmin, xmax, ymin, ymax).")
    steps = param.Integer(0, bounds=(0, None), doc="Updates taken since the last reset.")
    running = param.Boolean(False, doc="Whether updates repeat on a timer.")
    message = param.String("", doc="What the page should tell the user now, in plain words.")
    selected = param.Integer(None, allow_None=True, doc="Index of the point picked for a closer look.")
    notice = param.String("", doc="A passing remark about what just changed.")
    add_class = param.Integer(None, bounds=(0, 2), allow_None=True,
                              doc="Class of the point a click on the plot adds; None: clicks select.")
    batch = param.Array(None, allow_None=True, doc="Points the last step used; None for all.")
    history_restarted = param.Event(doc="Fires when the loss history starts over.")

    evaluation = param.Parameter(doc="core.Evaluation of the current state (read it, never set it).")

    def __init__(self, seed=None, **params):
        self._rng = np.random.default_rng(seed)
        defaults = dict(
            X=_readonly(core.DEFAULT_POINTS),
            y=np.array(core.DEFAULT_LABELS, dtype=int),
            W=_readonly(core.DEFAULT_W),
            b=_readonly(core.DEFAULT_B),
        )
        super().__init__(**{**defaults, **params})
        self._optimizer = None
        self._run_start_loss = None
        self._given_evaluation = None  # computed ahead by step(), used by the next _evaluate
        self.history = LossHistory()
        self._evaluate()
        self._record(0, self.evaluation)

    # -- what core computes --------------------------------------------------------------

    @property
    def objective(self):
        """The objective's settings, as `core.evaluate` takes them."""
        return dict(
            loss=self.loss,
            margin=self.margin,
            squared=self.squared,
            reg=self.reg,
            reg_strength=self.reg_strength,
            beta=self.beta,
        )

    @param.depends("X", "y", "W", "b", "loss", "margin", "squared", "reg", "reg_strength", "beta",
                   watch=True)
    def _evaluate(self):
        given, self._given_evaluation = self._given_evaluation, None
        self.evaluation = given or core.evaluate(self.X, self.y, self.W, self.b, **self.objective)

    @property
    def num_classes(self):
        return self.W.shape[0]

    # -- the optimizer -------------------------------------------------------------------

    def hyperparameters_of(self, optimizer):
        """This state's values of the hyper-parameters that core declares for `optimizer` (each
        is a parameter of this state under the same name)."""
        return {name: getattr(self, name) for name in core.OPTIMIZERS[optimizer](1.0).hyperparameters}

    @property
    def hyperparameter_names(self):
        """The chosen optimizer's hyper-parameters."""
        return tuple(self.hyperparameters_of(self.optimizer))

    @property
    def effective_step_size(self):
        """The step size the schedule gives for the next step."""
        return core.step_size_at(self.schedule, self.step_size, self.steps,
                                 decay_rate=self.decay_rate, decay_every=self.decay_every)

    @property
    def optimizer_instance(self):
        """This session's optimizer, built on first use and kept with its internal state."""
        if self._optimizer is None:
            self._optimizer = core.make_optimizer(self.optimizer, self.step_size,
                                                  **self.hyperparameters_of(self.optimizer))
        return self._optimizer

    @param.depends("optimizer", "momentum", "rho", "beta1", "beta2", "eps", watch=True)
    def _new_optimizer(self):
        self._optimizer = None
        name = next(label for label, value in OPTIMIZER_LABELS.items() if value == self.optimizer)
        self.notice = f"{name} starts afresh: its internal state is reset; W and b stay."

    def velocity(self):
        """What the optimizer carries over between steps for W — Momentum's and Nesterov's
        velocity, Adam's first moment — as a (C, 2) array, or None if it keeps none yet."""
        state = self.optimizer_instance.state()
        carried = state.get("velocity") or state.get("m") or {}
        return carried.get("W")

    def _next_batch(self):
        n = len(self.X)
        if self.batch_size is None or self.batch_size >= n:
            return None
        return core.batch_indices(n, self.batch_size, self.seed, self.steps)

    def step(self):
        """Take one update of W and b; stop a run that diverges, keeping the last finite W, b."""
        ev = self.evaluation
        params = {"W": self.W, "b": self.b}
        optimizer = self.optimizer_instance
        optimizer.step_size = self.effective_step_size
        batch = self._next_batch()
        if batch is None:  # full batch: the gradient of the current evaluation is the one
            new = optimizer.step(params, {"W": ev.dW, "b": ev.db})
            batch_loss = np.nan
        else:
            new, on_batch = core.train_step(self.X, self.y, params, optimizer, batch=batch,
                                            **self.objective)
            batch_loss = on_batch.total_loss
        W, b = _readonly(new["W"]), _readonly(new["b"])
        after = core.evaluate(self.X, self.y, W, b, **self.objective)
        reason = self._divergence(after, W, b,
                                  self._run_start_loss if self.running else ev.total_loss)
        if reason:  # the diverged parameters are never shown
            self.param.update(running=False, message=reason)
            optimizer.reset()
            return
        # One update for everything the step changes, so every view redraws once; the record is
        # in the history before any view hears of the new step.
        self._record(self.steps + 1, after, batch_loss)
        self._given_evaluation = after
        self.param.update(W=W, b=b, batch=batch, steps=self.steps + 1, message="")

    def _record(self, step, ev, batch_loss=np.nan):
        self.history.append(step, ev.data_loss, ev.reg_loss, ev.total_loss, ev.accuracy, batch_loss)

    def _restart_history(self):
        self.history.clear()
        self._record(0, self.evaluation)
        self.param.trigger("history_restarted")

    @staticmethod
    def _divergence(evaluation, W, b, start_loss):
        """Why a step to W, b (with this evaluation) diverges, in plain words; "" if it does not."""
        total = evaluation.total_loss
        largest = max(np.abs(W).max(initial=0.0), np.abs(b).max(initial=0.0))
        if not np.isfinite(total) or not np.isfinite(largest):
            return ("Stopped: the loss stopped being a finite number. The last finite W and b "
                    "are kept — lower the step size and try again.")
        if largest > PARAMETER_LIMIT:
            return (f"Stopped: a parameter grew past {PARAMETER_LIMIT:.0e}. The last W and b "
                    "before that are kept — lower the step size and try again.")
        if start_loss is not None and total > GROWTH_LIMIT * max(start_loss, 1.0):
            return (f"Stopped: the loss grew past {GROWTH_LIMIT:.0f}× its value when the run "
                    f"started ({start_loss:.4g} → {total:.4g}). The last W and b before that are "
                    "kept — lower the step size and try again.")
        return ""

    @param.depends("running", watch=True)
    def _run_started(self):
        if self.running:
            self._run_start_loss = self.evaluation.total_loss
            self.message = ""

    # -- what a person does --------------------------------------------------------------

    def set_parameter(self, name, index, value):
        """Set one entry of W (index (k, j)) or b (index k), as a slider does."""
        current = getattr(self, name)
        if not np.isfinite(value) or current[index] == value:
            return
        updated = np.array(current)
        updated[index] = value
        setattr(self, name, _readonly(updated))

    def move_point(self, i, x0, x1):
        """Move point i to (x0, x1), as a drag does."""
        if not (0 <= i < len(self.X)) or not (np.isfinite(x0) and np.isfinite(x1)):
            return
        moved = np.array(self.X)
        moved[i] = (x0, x1)
        self.X = _readonly(moved)

    def add_point(self, x0, x1, label):
        """Add a point of class `label` at (x0, x1), as a click in add mode does."""
        if len(self.X) >= MAX_POINTS:
            self.message = (f"The data set is full: it holds at most {MAX_POINTS} points. "
                            "Delete some to add more.")
            return
        if not (np.isfinite(x0) and np.isfinite(x1)) or label not in range(self.num_classes):
            return
        self.param.update(X=_readonly(np.vstack([self.X, [[x0, x1]]])),
                          y=np.append(self.y, int(label)), batch=None)

    def delete_point(self, i):
        """Remove point i (nothing happens for an index that is not a point)."""
        if i is None or not 0 <= i < len(self.X):
            return
        keep = np.arange(len(self.X)) != i
        self.param.update(X=_readonly(self.X[keep]), y=self.y[keep], selected=None, batch=None,
                          message="")

    def clear_points(self):
        """Remove every point: a valid, if empty, data set."""
        self.param.update(X=_readonly(np.zeros((0, 2))), y=np.zeros(0, dtype=int), selected=None,
                          batch=None, message="")

    def load_preset(self, name):
        """Replace the data by one of core's presets; W, b and every setting stay."""
        X, y = core.preset(name, seed=self.seed)
        self.param.update(X=_readonly(X), y=np.asarray(y, dtype=int), selected=None, batch=None,
                          message="")

    def fit_view(self):
        """Re-centre the view on the data (the default view when there is none)."""
        if len(self.X) == 0:
            self.box = core.DEFAULT_BOX
            return
        low, high = self.X.min(axis=0), self.X.max(axis=0)
        centre = (low + high) / 2
        half = max(0.6 * float((high - low).max()), core.DEFAULT_BOX[1])
        self.box = (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)

    def notes(self):
        """Plain-words remarks on an unusual state: the data's, and classes without a line."""
        flat = [f"Class {k} has W[{k},·] = 0: its score is the constant b[{k}], so it has no "
                "line and no arrow." for k in np.flatnonzero(~self.W.any(axis=1))]
        return self.data_notes() + flat

    def data_notes(self):
        """Plain-words remarks on an unusual data set (no points, a class without points)."""
        if len(self.X) == 0:
            return ["There are no points: the data loss is 0 and only the regularization acts."]
        counts = np.bincount(self.y, minlength=self.num_classes)
        return [f"Class {k} has no points, so no point asks for its score to be highest."
                for k in np.flatnonzero(counts == 0)]

    def start_over(self):
        """A new start from the current W and b: no steps yet, the optimizer's memory and the
        loss history cleared."""
        self.param.update(steps=0, batch=None)
        self.optimizer_instance.reset()
        self._restart_history()

    def randomize(self):
        """New random W and b (the data stays), and a fresh optimizer."""
        C = self.num_classes
        self.param.update(
            W=_readonly(self._rng.uniform(-3.0, 3.0, size=(C, 2))),
            b=_readonly(self._rng.uniform(-1.0, 1.0, size=C)),
            message="",
        )
        self.start_over()

    def reset(self):
        """The default data and parameters; settings stay as they are."""
        self.param.update(
            running=False,
            X=_readonly(core.DEFAULT_POINTS),
            y=np.array(core.DEFAULT_LABELS, dtype=int),
            W=_readonly(core.DEFAULT_W),
            b=_readonly(core.DEFAULT_B),
            box=core.DEFAULT_BOX,
            steps=0,
            selected=None,
            message="",
        )
        self.start_over()
