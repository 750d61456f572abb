"""The math, with the current numbers: a point's loss worked out, the loss formula, the sanity
value at W = 0, the loss variants, and the gradient check."""

import html

import numpy as np
import panel as pn

from losslab import core, labels
from losslab.core.explain import HINGE_LOSSES, explain_point, loss_formula_latex, sanity_loss
from losslab.transport.throttle import Throttle
from losslab.transport.wire import held
from losslab.views.base import View, sized
from losslab.views.checkbox import checkbox, setting_checkbox
from losslab.views.readouts import format_number
from losslab.views.setting_slider import setting_slider
from losslab.web import STYLESHEET

MATH_SEND_S = 0.4
"""During a run, typeset math goes to the browser at most this often (typesetting is slow)."""

GRADIENT_CHECK_PASS = 1e-6
"""Relative error below which an entry's analytic gradient agrees with the numerical one."""

GRADIENT_CHECK_WARN = 1e-4
"""Above this the analytic gradient is wrong — unless a hinge sits on its kink."""

GRADIENT_CHECK_FLOOR = 1e-8
"""Entries that differ by less than this agree, whatever their relative error: a zero gradient
is estimated numerically as round-off noise, whose relative error to 0 is 1."""

NAMES = [labels.PARAMETERS[name] for name in core.PARAMETER_NAMES]


def _latex(lines):
    return "$$\\begin{array}{l}" + " \\\\ ".join(lines) + "\\end{array}$$"


class ExplanationView(View):
    """The selected point's loss, term by term, as the slides work it out."""

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.title = pn.pane.HTML("", stylesheets=[STYLESHEET], margin=(4, 6, 0, 6))
        self.math = pn.pane.LaTeX("", renderer="katex", margin=(0, 6),
                                  styles={"font-size": "var(--lab-math-size, 0.95em)"})
        self.refresh = Throttle(state, self._update, running_every=MATH_SEND_S)
        state.param.watch(self.refresh, ["evaluation", "selected"])
        self.refresh()
        self.show = self.refresh.show
        self.panel = pn.Column(self.title, self.math, margin=0)

    def _update(self):
        state, i = self.state, self.state.selected
        if i is None or not 0 <= i < len(state.X):
            self.title.object = ("<span class='muted'>Click a point (or its row) to see its loss "
                                 "worked out with the current numbers.</span>")
            self.math.object = ""
            return
        ev = state.evaluation
        explanation = explain_point(ev.scores[i], state.y[i], state.loss, margin=state.margin,
                                    squared=state.squared)
        # The heading's numbers are in the format of the lines below it.
        self.title.object = (f"<b>Point {i}</b> (class {state.y[i]}): scores "
                             f"{', '.join(explanation.text(v) for v in ev.scores[i])}; "
                             f"<b>L<sub>{i}</sub> = {explanation.text(explanation.loss)}</b>")
        self.math.object = _latex(explanation.latex_lines)


class LossSettings(View):
    """Loss variants (squared hinge, margin Δ, regularizer, β), the formula they make, the value
    to expect at W = 0, and the gradient check."""

    def __init__(self, **params):
        super().__init__(**params)
        state = self.state
        self.squared = setting_checkbox(state, "squared", "Squared hinge")
        self.margin = setting_slider(state, "margin", "Margin Δ", step=0.05)
        self.reg = pn.widgets.RadioButtonGroup.from_param(state.param.reg, label="Regularizer",
                                                          sizing_mode="stretch_width")
        self.beta = sized(pn.widgets.FloatInput.from_param(state.param.beta, label="β", step=0.1), 6)
        self.formula = pn.pane.LaTeX("", renderer="katex", margin=(4, 6),
                                     styles={"font-size": "var(--lab-math-size, 1em)"})
        self.sanity = pn.pane.HTML("", stylesheets=[STYLESHEET], margin=(0, 6),
                                   sizing_mode="stretch_width")
        self.check_button = pn.widgets.Button(label="Check gradients")
        self.keep_checking = checkbox("Keep checking")
        self.check = pn.pane.HTML("", stylesheets=[STYLESHEET], css_classes=["gradient-check"],
                                  margin=(0, 6), sizing_mode="stretch_width")

        self._check_outdated = False  # whether the table shown is an earlier lab's
        self.check_button.on_click(lambda event: held(self.run_check))
        self._live_check = Throttle(state, self._check_if_live, running_every=MATH_SEND_S,
                                    shown=False)
        state.param.watch(self._live_check, "evaluation")
        state.param.watch(self._show_variants, ["loss", "reg"])
        self.refresh = Throttle(state, self._update, running_every=MATH_SEND_S, shown=False)
        state.param.watch(self.refresh, ["evaluation", "loss", "reg", "margin", "squared",
                                         "reg_strength", "beta"])
        self._show_variants()
        self.panel = pn.Column(
            pn.Row(self.reg, self.beta, margin=0),
            self.squared, self.margin,
            self.formula, self.sanity,
            pn.Row(self.check_button, self.keep_checking, margin=0), self.check,
            margin=0,
        )

    def show(self, shown):
        self.refresh.show(shown)
        self._live_check.show(shown)

    def _show_variants(self, *events):
        hinge = self.state.loss in HINGE_LOSSES
        self.squared.visible = self.margin.widget.visible = hinge
        self.beta.visible = self.state.reg == "elastic_net"

    def _update(self):
        state = self.state
        self.formula.object = "$$" + loss_formula_latex(
            state.loss, state.reg, margin=state.margin, reg_strength=state.reg_strength,
            beta=state.beta, squared=state.squared) + "$$"
        expected = sanity_loss(state.loss, C=state.num_classes, margin=state.margin,
                               squared=state.squared)
        self.sanity.object = (
            f"Sanity check: at W = 0, b = 0 every score is 0 and this data loss is "
            f"<b>{format_number(expected)}</b> per point; now it is "
            f"<b>{format_number(state.evaluation.data_loss)}</b>.")

    def _check_if_live(self):
        if self.keep_checking.value:
            self.run_check()
        elif self.check.object and not self._check_outdated:
            # The lab has changed since the check: its table stays, marked as an earlier lab's.
            self._check_outdated = True
            self.check.object = (f"<div class='notice'>{html.escape(CHECK_OUTDATED)}</div>"
                                 + self.check.object)

    def run_check(self):
        """Analytic gradient of the total loss against centred differences, entry by entry."""
        state = self.state
        C = state.num_classes

        def total_loss(theta):
            W, b = core.unflatten(theta, C)
            return core.evaluate(state.X, state.y, W, b, **state.objective).total_loss

        ev = state.evaluation
        analytic = core.flatten(ev.dW, ev.db)
        numerical = core.numerical_gradient(total_loss, core.flatten(state.W, state.b))
        errors = core.relative_error(analytic, numerical)
        # Entries closer than the floor agree: a zero gradient comes back as round-off noise.
        judged = np.where(np.abs(analytic - numerical) < GRADIENT_CHECK_FLOOR, 0.0, errors)
        rows = "".join(
            f"<tr><td>{name}</td><td>{a:+.6f}</td><td>{n:+.6f}</td><td>{e:.1e}</td>"
            f"<td class='{_verdict(j)}'>{_verdict(j)}</td></tr>"
            for name, a, n, e, j in zip(NAMES, analytic, numerical, errors, judged))
        worst = float(np.nanmax(judged)) if len(judged) else 0.0
        summary = ("All entries agree." if worst < GRADIENT_CHECK_PASS else
                   "Some entries differ: a hinge on its kink (a margin of exactly 0) is not "
                   "differentiable there, so the numerical gradient may disagree." if
                   worst < GRADIENT_CHECK_WARN or state.loss in HINGE_LOSSES else
                   "The analytic gradient is wrong.")
        self._check_outdated = False
        self.check.object = (
            "<table class='gradcheck'><tr><th>entry</th><th>analytic</th><th>numerical</th>"
            f"<th>rel. error</th><th></th></tr>{rows}</table><div>{html.escape(summary)} "
            f"Pass: relative error below {GRADIENT_CHECK_PASS:.0e}, or a difference below "
            f"{GRADIENT_CHECK_FLOOR:.0e}.</div>")


CHECK_OUTDATED = ("This check was made before the lab last changed: press Check gradients "
                  "again, or tick Keep checking.")


def _verdict(error):
    return "pass" if error < GRADIENT_CHECK_PASS else "check" if error < GRADIENT_CHECK_WARN else "fail"

