"""One lab's state: the data, the classifier, every setting, and what core makes of them.

The state is the single source of truth of a lab. Widgets write to it, views read from it, and
`evaluation` is recomputed once per change, however many parameters the change touched. Every
bound a value may take is declared here (and read from here by the share codec and the widgets).
How the optimizer moves W and b step by step is `losslab.session.training`'s job.
"""

import numpy as np
import param

from losslab import core, labels
from losslab.session.param_store import param_values

MAX_POINTS = 2000
"""Most points a data set may hold: enough for any lecture, few enough to stay immediate."""

LIMIT = core.PARAMETER_LIMIT
"""Largest magnitude of a weight, a bias, a coordinate of a point and an edge of the view box,
whichever way it is set (typing, dragging, adding, zooming, fitting, a link, a file): so whatever
the lab holds can be written to a link and a file and opened again."""
LIMIT_TEXT = f"{LIMIT:,.0f}"


def within_limit(*values):
    """Whether every value is a finite number no larger in magnitude than LIMIT."""
    return all(np.isfinite(v) and abs(v) <= LIMIT for v in values)


def _kept_within(low, high):
    """The interval [low, high] moved (and, wider than the limits, narrowed) to lie in ±LIMIT."""
    if high - low >= 2 * LIMIT:
        return -LIMIT, LIMIT
    shift = max(-LIMIT - low, 0.0) + min(LIMIT - high, 0.0)
    return max(low + shift, -LIMIT), min(high + shift, LIMIT)

EVALUATED = ("X", "y", "W", "b", "loss", "margin", "squared", "reg", "reg_strength", "beta")
"""The parameters the evaluation depends on."""


def default_lab():
    """The data, parameters and view the lab opens on: the reference demo's (read-only arrays)."""
    return dict(X=core.DEFAULT_POINTS, y=core.DEFAULT_LABELS, W=core.DEFAULT_W, b=core.DEFAULT_B,
                box=core.DEFAULT_BOX)


class LabState(param.Parameterized):
    """The classifier ``s = W x + b`` on a 2-D data set, its loss, and its optimizer."""

    X = param.Array(doc="Data points, shape (N, 2).")
    y = param.Array(doc="Class label of each point, shape (N,), in 0 … C−1.")
    W = param.Array(doc="Weights, shape (C, 2); row k is class k's classifier.")
    b = param.Array(doc="Biases, shape (C,).")

    loss = param.Selector(objects=labels.choices(labels.LOSSES), default="weston_watkins",
                          doc="Data loss per point.")
    margin = param.Number(1.0, bounds=(0.0, 10.0), doc="Margin Δ of the hinge losses.")
    squared = param.Boolean(False, doc="Square each hinge term: max(0, m)².")
    reg = param.Selector(objects=labels.choices(labels.REGULARIZERS), default="l2",
                         doc="Penalty on W.")
    reg_strength = param.Number(0.1, bounds=(0.0, 10.0), doc="Regularization strength λ.")
    beta = param.Number(0.5, bounds=(0.0, 10.0), doc="Weight β of λΣW² in the elastic net.")

    optimizer = param.Selector(objects=labels.choices(labels.OPTIMIZERS), default="sgd",
                               doc="Update rule.")
    step_size = param.Number(0.1, bounds=(1e-4, 10.0), doc="Step size α of each update.")
    momentum = param.Number(0.9, bounds=(0.0, 0.999), doc="Momentum μ (Momentum, Nesterov).")
    rho = param.Number(0.99, bounds=(0.0, 0.9999), doc="Decay ρ of RMSProp's mean square.")
    beta1 = param.Number(0.9, bounds=(0.0, 0.9999), doc="Adam's decay β1 of the first moment.")
    beta2 = param.Number(0.999, bounds=(0.0, 0.99999), doc="Adam's decay β2 of the second moment.")
    eps = param.Number(1e-8, bounds=(1e-12, 1e-2), doc="ε of AdaGrad, RMSProp and Adam.")
    batch_size = param.Integer(None, bounds=(1, None), allow_None=True,
                               doc="Points per mini-batch; None for all of them (full batch).")
    seed = param.Integer(0, bounds=(0, 2**31 - 1), doc="Seed of the mini-batch draws.")
    schedule = param.Selector(objects=labels.choices(labels.SCHEDULES), default="constant",
                              doc="Step-size schedule.")
    decay_rate = param.Number(0.5, bounds=(0.01, 1.0), doc="Factor γ the step size decays by…")
    decay_every = param.Integer(100, bounds=(1, 100_000), doc="…every this many steps.")

    run_speed = param.Integer(None, bounds=(1, 60), allow_None=True,
                              doc="Steps per second while running; None: as fast as the page "
                                  "can draw them.")

    show_pulls = param.Boolean(False, doc="Draw each point's pull on each class's weights.")
    presentation = param.Boolean(False, doc="Large type and thick lines for a projector.")

    box = param.NumericTuple(core.DEFAULT_BOX, length=4, doc="View box (xmin, xmax, ymin, ymax).")
    steps = param.Integer(0, bounds=(0, None), doc="Updates taken since the last reset.")
    running = param.Boolean(False, doc="Whether updates repeat on a timer.")
    message = param.String("", doc="What the page should tell the user now, in plain words.")
    selected = param.Integer(None, allow_None=True, doc="Index of the point picked for a closer look.")
    notice = param.String("", doc="A passing remark about what just changed.")
    add_class = param.Integer(None, bounds=(0, core.NUM_CLASSES - 1), allow_None=True,
                              doc="Class of the point a click on the plot adds; None: clicks select.")
    batch = param.Array(None, allow_None=True, doc="Points the last step used; None for all.")
    restarted = param.Event(doc="Fires when the lab starts over from its current W and b: no "
                                "steps yet, the optimizer's memory and the loss history cleared.")

    evaluation = param.Parameter(doc="core.Evaluation of the current state (read it, never set it).")
    streamed = param.Boolean(False, doc=(
        "The picture (the plot, the readouts, W and b with their gradients) reaches the browser "
        "on the page's stream (a Run of the lab's own, or a class the page follows): the views "
        "leave it to the stream, and draw it again themselves when this turns off."))

    def __init__(self, random_seed=None, **params):
        """`random_seed`: of the draws of `randomize` (the `seed` parameter is the mini-batches')."""
        self._rng = np.random.default_rng(random_seed)
        self._remembered = (None, None)  # (inputs, evaluation) of the last evaluation computed
        super().__init__(**{**default_lab(), **params})
        self._evaluate()

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

    def _inputs(self, W, b, **values):
        # The arrays are read-only and replaced, never changed, so their identity says which
        # values they hold. `values`: parameters about to be set, in place of the current ones.
        objective = {**self.objective, **{k: v for k, v in values.items() if k in self.objective}}
        return (values.get("X", self.X), values.get("y", self.y), W, b,
                tuple(objective.values()))

    def evaluation_at(self, W, b):
        """core.evaluate on this lab's data and objective at (W, b). Remembered: setting W and b
        to these very arrays next takes this evaluation instead of computing it again."""
        evaluation = core.evaluate(self.X, self.y, W, b, **self.objective)
        self._remembered = (self._inputs(W, b), evaluation)
        return evaluation

    def take(self, values, evaluation):
        """Set `values` (parameters, arrays read-only) whose `evaluation` is known already: the
        labs following a class show their teacher's lab, evaluated once for all of them."""
        self._remember(values, evaluation)
        self.param.update(**values)

    def take_quietly(self, values, evaluation, announced=None):
        """`take` without telling a single watcher, while the page's stream draws the picture: a
        student's page following a class keeps its lab current this way on every step of the
        teacher's, and a streamed Run its own steps; `param.trigger` of the names set tells the
        views later, at a lower rate. `announced` (values) are then set as usual."""
        self._remember(values, evaluation)
        # Into Param's store of the values: setting them, even under `discard_events`, has each
        # watcher compare old and new, which cost a streamed Run's step more than the step.
        stored = param_values(self)
        for name, value in {**values, "evaluation": evaluation}.items():
            stored[name] = value
        for name, value in (announced or {}).items():
            setattr(self, name, value)

    def _remember(self, values, evaluation):
        """Remember `evaluation` as that of this lab once `values` are set."""
        others = {key: value for key, value in values.items() if key not in ("W", "b")}
        W, b = values.get("W", self.W), values.get("b", self.b)
        self._remembered = (self._inputs(W, b, **others), evaluation)

    @param.depends(*EVALUATED, watch=True)
    def _evaluate(self):
        inputs, evaluation = self._remembered
        current = self._inputs(self.W, self.b)
        if inputs is None or not all(old is new if isinstance(old, np.ndarray) else old == new
                                     for old, new in zip(inputs, current)):
            evaluation = self.evaluation_at(self.W, self.b)
        self.evaluation = evaluation

    @property
    def num_classes(self):
        return self.W.shape[0]

    # -- the optimizer's settings --------------------------------------------------------

    def hyperparameters_of(self, optimizer):
        """This state's values of the hyper-parameters that core declares for `optimizer` (each
        is a parameter of this state under the same name)."""
        return {name: getattr(self, name) for name in core.OPTIMIZERS[optimizer].hyperparameter_names}

    @property
    def hyperparameter_names(self):
        """The chosen optimizer's hyper-parameters."""
        return core.OPTIMIZERS[self.optimizer].hyperparameter_names

    @property
    def effective_step_size(self):
        """The step size the schedule gives for the next step."""
        return core.step_size_at(self.schedule, self.step_size, self.steps,
                                 decay_rate=self.decay_rate, decay_every=self.decay_every)

    # -- what a person does --------------------------------------------------------------

    def set_parameter(self, name, index, value, typed=None):
        """Set one entry of W (index (k, j)) or b (index k), as a slider or number box does.

        A value that is not a number within ±LIMIT is refused with a message that says what was
        not applied (`typed`, the text as typed, if given) and the value in force. A value
        applied clears the message, as every other action does. Returns whether the entry now
        holds `value`."""
        current = getattr(self, name)
        if not within_limit(value):
            label = labels.PARAMETERS[name + "".join(str(i) for i in np.atleast_1d(index))]
            shown = f"“{typed}”" if typed is not None else f"{value:.12g}"
            self.message = (f"{label} must be a number between −{LIMIT_TEXT} and {LIMIT_TEXT}; "
                            f"{shown} was not applied, so {label} is still {current[index]:.12g}.")
            return False
        if current[index] != value:
            updated = np.array(current)
            updated[index] = value
            self.param.update({name: core.read_only(updated), "message": ""})
        else:
            self.message = ""
        return True

    def move_point(self, i, x0, x1):
        """Move point i to (x0, x1), as a drag does; a point dragged past ±LIMIT stops there."""
        if not (0 <= i < len(self.X)) or not (np.isfinite(x0) and np.isfinite(x1)):
            return
        if not within_limit(x0, x1):
            x0, x1 = (float(np.clip(v, -LIMIT, LIMIT)) for v in (x0, x1))
            self.message = (f"Points stay within ±{LIMIT_TEXT} on both axes (the lab's limit): "
                            "this one stopped at the edge.")
        moved = np.array(self.X)
        moved[i] = (x0, x1)
        self.X = core.read_only(moved)

    def add_point(self, x0, x1, label):
        """Add a point of class `label` at (x0, x1), as a click in add mode does."""
        if len(self.X) >= MAX_POINTS:
            self.message = (f"The data set is full: it holds at most {MAX_POINTS} points. "
                            "Delete some to add more.")
            return
        if not (np.isfinite(x0) and np.isfinite(x1)) or label not in range(self.num_classes):
            return
        if not within_limit(x0, x1):
            self.message = (f"No point was added: points lie within ±{LIMIT_TEXT} on both axes "
                            f"(the lab's limit), and ({x0:g}, {x1:g}) does not.")
            return
        self.param.update(X=core.read_only(np.vstack([self.X, [[x0, x1]]])),
                          y=core.read_only(np.append(self.y, int(label)), np.int64), batch=None)

    def delete_point(self, i):
        """Remove point i (nothing happens for an index that is not a point)."""
        if i is None or not 0 <= i < len(self.X):
            return
        keep = np.arange(len(self.X)) != i
        self.param.update(X=core.read_only(self.X[keep]), y=core.read_only(self.y[keep], np.int64),
                          selected=None, batch=None,
                          message="")

    def clear_points(self):
        """Remove every point: a valid, if empty, data set."""
        self.param.update(X=core.read_only(np.zeros((0, 2))), y=core.read_only([], np.int64),
                          selected=None,
                          batch=None, message="")

    def load_preset(self, name):
        """Replace the data by one of core's presets; W, b and every setting stay."""
        X, y = core.preset(name, seed=self.seed)
        self.param.update(X=core.read_only(X), y=core.read_only(y, np.int64), selected=None,
                          batch=None,
                          message="")

    def set_box(self, box):
        """Show the view box (xmin, xmax, ymin, ymax), as a pan or zoom does. A box that reaches
        past ±LIMIT is moved (or, wider than that, narrowed) to lie within it, with a message;
        one without a finite, positive width and height is ignored. Returns the box in force."""
        xmin, xmax, ymin, ymax = values = tuple(float(v) for v in box)
        if not (np.isfinite(values).all() and xmin < xmax and ymin < ymax):
            return self.box
        if not within_limit(*values):
            values = (*_kept_within(xmin, xmax), *_kept_within(ymin, ymax))
            self.message = (f"The view reaches at most ±{LIMIT_TEXT} on both axes (the lab's "
                            "limit).")
        if values[0] < values[1] and values[2] < values[3]:
            self.box = values
        return self.box

    def fit_view(self):
        """Re-centre the view on the data (the default view when there is none)."""
        if len(self.X) == 0:
            self.box = core.DEFAULT_BOX
            return
        low, high = self.X.min(axis=0), self.X.max(axis=0)
        centre = (low + high) / 2
        half = max(0.6 * float((high - low).max()), core.DEFAULT_BOX[1])
        self.set_box((centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half))

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
        loss history cleared (by whoever keeps them, on `restarted`)."""
        self.param.update(steps=0, batch=None)
        self.param.trigger("restarted")

    def randomize(self):
        """New random W and b (the data stays), and a fresh optimizer."""
        C = self.num_classes
        self.param.update(
            W=core.read_only(self._rng.uniform(-3.0, 3.0, size=(C, 2))),
            b=core.read_only(self._rng.uniform(-1.0, 1.0, size=C)),
            message="",
        )
        self.start_over()

    def reset(self):
        """The default data and parameters; settings stay as they are."""
        self.param.update(running=False, **default_lab(), steps=0, selected=None, message="")
        self.start_over()
