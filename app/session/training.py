"""How the optimizer moves a lab: its steps, the memory it carries between them, the loss history
they leave, and when a run must stop.

`Training` follows one `LabState`. A step computes the new W and b and their evaluation, checks
them by core's one divergence rule, and sets them on the state in one update (so every view
redraws once, and the evaluation is not computed twice). Changing the optimizer or one of its
hyper-parameters starts it afresh; a lab that starts over (`restarted`) clears its memory and
the history.
"""

import numpy as np
import param

from losslab import core, labels
from losslab.session.history import LossHistory
from losslab.session.state import LabState

OPTIMIZER_SETTINGS = ("optimizer", *dict.fromkeys(
    name for optimizer in core.OPTIMIZERS.values() for name in optimizer.hyperparameter_names))
"""The state's parameters that make a new optimizer: its choice and every hyper-parameter."""

DIVERGED = {
    "not_finite": "the loss stopped being a finite number",
    "parameter_limit": f"a parameter grew past {core.PARAMETER_LIMIT:.0e}",
    "growth": f"the loss grew past {core.GROWTH_LIMIT:.0f}× its value when the run started",
}
"""Why a run stopped, in plain words, for each of `core.divergence.REASONS`."""


def divergence_message(reason, start_loss, total_loss):
    """What a Run that diverged for `reason` tells the user."""
    numbers = f" ({start_loss:.4g} → {total_loss:.4g})" if reason == "growth" else ""
    return (f"Stopped: {DIVERGED[reason]}{numbers}. The last W and b before that are kept — "
            "lower the step size and try again.")


STREAMED_QUIETLY = ("W", "b", "batch", "evaluation")
"""What a streamed step sets without a word to its watchers (`Training.step`): whoever streams
the Run tells them with `param.trigger` at the rate they need."""


class Training(param.Parameterized):
    """The optimizer of one lab, built on first use and kept with its memory, and the loss
    history of its steps."""

    state = param.ClassSelector(class_=LabState, constant=True, doc="The lab it moves.")
    history_restarted = param.Event(doc="Fires when the loss history has started over.")

    def __init__(self, state, **params):
        super().__init__(state=state, **params)
        self.history = LossHistory()
        self._optimizer = None
        self._run_start_loss = None
        self.record(0, state.evaluation)
        state.param.watch(self._new_optimizer, list(OPTIMIZER_SETTINGS))
        state.param.watch(self._on_running, "running")
        state.param.watch(self._start_over, "restarted")

    @property
    def optimizer(self):
        """The lab's optimizer (a core.Optimizer), built on first use and kept with its memory."""
        if self._optimizer is None:
            state = self.state
            self._optimizer = core.make_optimizer(state.optimizer, state.step_size,
                                                  **state.hyperparameters_of(state.optimizer))
        return self._optimizer

    def _new_optimizer(self, *events):
        self._optimizer = None
        name = labels.OPTIMIZERS[self.state.optimizer]
        self.state.notice = f"{name} starts afresh: its internal state is reset; W and b stay."

    def velocity(self):
        """What the optimizer carries over between steps for W — Momentum's and Nesterov's
        velocity, Adam's first moment — as a (C, 2) array, or None if it keeps none (yet)."""
        carried = type(self.optimizer).carried
        if carried is None:
            return None
        return self.optimizer.state()[carried].get("W")

    def _next_batch(self):
        state, n = self.state, len(self.state.X)
        if state.batch_size is None or state.batch_size >= n:
            return None
        return core.batch_indices(n, state.batch_size, state.seed, state.steps)

    def step(self, streamed=False):
        """Take one update of W and b; stop a run that diverges, keeping the last W, b before it.

        `streamed`: the page's stream draws this step (losslab.views.lab_picture.LabStream). W, b,
        the batch and the evaluation are then set without a word to their watchers (the stream
        tells them later, at the rates they keep during a Run): only the step count is
        announced, to the views that follow each step (the history, the landscape's path)."""
        state = self.state
        ev = state.evaluation
        params = {"W": state.W, "b": state.b}
        optimizer = self.optimizer
        optimizer.step_size = state.effective_step_size
        batch = self._next_batch()
        if batch is None:  # full batch: the gradient of the current evaluation is the one
            new = optimizer.step(params, {"W": ev.dW, "b": ev.db})
            batch_loss = np.nan
        else:
            new, on_batch = core.train_step(state.X, state.y, params, optimizer, batch=batch,
                                            **state.objective)
            batch_loss = on_batch.total_loss
        W, b = core.read_only(new["W"]), core.read_only(new["b"])
        with np.errstate(over="ignore", invalid="ignore"):  # a diverging step is reported below
            after = state.evaluation_at(W, b)
        start = self._run_start_loss if state.running else ev.total_loss
        reason = core.divergence(after.total_loss, W, b, start)
        if reason is not None:  # the diverged parameters are never shown
            state.param.update(running=False,
                               message=divergence_message(reason, start, after.total_loss))
            optimizer.reset()
            return
        # The record is in the history before any view hears of the new step.
        self.record(state.steps + 1, after, batch_loss)
        if streamed:
            announced = dict(steps=state.steps + 1, **({"message": ""} if state.message else {}))
            state.take_quietly(dict(W=W, b=b, batch=batch), after, announced=announced)
        else:
            state.param.update(W=W, b=b, batch=batch, steps=state.steps + 1, message="")

    def record(self, step, ev, batch_loss=np.nan):
        """Add the evaluation `ev` after `step` to the history."""
        self.history.append(step, ev.data_loss, ev.reg_loss, ev.total_loss, ev.accuracy, batch_loss)

    def record_followed(self, step, ev, batch_loss=np.nan):
        """Record a step another lab took (a class's teacher): a step count that does not go
        on from the last one recorded starts the history over."""
        steps = self.history.columns(len(self.history) - 1)["step"] if len(self.history) else ()
        if len(steps) and steps[0] == step:
            return
        if not len(steps) or step < steps[0]:
            self.history.clear()
            self.record(step, ev, batch_loss)
            self.param.trigger("history_restarted")
            return
        self.record(step, ev, batch_loss)

    def _start_over(self, event):
        if self._optimizer is not None:
            self._optimizer.reset()
        self.history.clear()
        self.record(0, self.state.evaluation)
        self.param.trigger("history_restarted")

    def _on_running(self, event):
        if event.new:
            self._run_start_loss = self.state.evaluation.total_loss
            self.state.message = ""
