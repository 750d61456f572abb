"""The colours of LossLab, in one place.

Class colours are from the Okabe–Ito palette, which stays distinguishable under the common forms
of colour blindness and on a washed-out projector.
"""

CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73")  # blue, orange, bluish green
"""Colour of class k: its points, its region tint, its zero-score line and its arrows."""

REGION_ALPHA = 0.16
POINT_OUTLINE = "#222222"
GRADIENT_COLOR = "#D55E00"  # vermillion: "what the gradient says", as the reference shows it in red
HIGHLIGHT_COLOR = "#CC79A7"  # reddish purple: the selected point
TEXT_MUTED = "#555555"

LOSS_COLORS = {
    "data_loss": "#0072B2",
    "reg_loss": "#999999",
    "total_loss": "#000000",
    "batch_loss": "#56B4E9",
    "accuracy": "#009E73",
}
"""Colour of each loss-history series."""

COMPARE_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7")
"""Colours of up to four optimizers compared on one chart."""

VELOCITY_COLOR = "#7B3294"  # purple: what the optimizer carries over from step to step
BATCH_COLOR = "#111111"  # the ring around the points of the current mini-batch

VERDICT_COLORS = {"pass": "#009E73", "check": "#E69F00", "fail": "#D55E00"}
"""Colour of each verdict of the gradient check (and of an error message: "fail")."""


def css_variables():
    """The palette as CSS custom properties (`--losslab-class-0`, `--losslab-muted`, …), for the
    stylesheet: custom properties reach into every component's shadow root."""
    colours = {**{f"class-{k}": c for k, c in enumerate(CLASS_COLORS)}, "gradient": GRADIENT_COLOR,
               "velocity": VELOCITY_COLOR, "muted": TEXT_MUTED, **VERDICT_COLORS}
    return ":host, :root {\n" + "".join(f"  --losslab-{name}: {value};\n"
                                        for name, value in colours.items()) + "}\n"
