"""The colours of LossLab, in one place.

Class colours are from the Okabe–Ito palette, which stays distinguishable under the common forms
of colour blindness and on a washed-out projector.
"""

CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73")  # blue, orange, bluish green
"""Colour of class k: its points, its region tint, its zero-score line and its arrows."""

CLASS_TEXT_COLORS = ("#005A8C", "#8A5A00", "#00704F")
"""The class colours darkened for text (a class's name, its table cells): at least 4.5:1 on white
and on the table's grey rows, as text needs (WCAG AA); the plot keeps CLASS_COLORS, for marks
need 3:1."""

REGION_ALPHA = 0.26
"""Opacity of a class's colour over its decision region: strong enough to read on a projector,
light enough that the points of every class stay visible on it."""
REGION_EDGE = "rgba(20, 20, 20, 0.45)"  # the boundary between two regions
POINT_OUTLINE = "#222222"
GRADIENT_COLOR = "#D55E00"  # vermillion: "what the gradient says", as the reference shows it in red
GRADIENT_TEXT_COLOR = "#B03C00"  # the same, dark enough for text (6:1 on white)
SELECTED_COLOR = "#111111"  # the thick ring around the selected point (which keeps its colour)
TEXT_MUTED = "#555555"
PLOT_TEXT = "#333333"  # tick labels and the points' loss labels
GRID_COLOR = "#e3e3e3"
AXIS_COLOR = "#888888"

# The charts' series are not classes: their colours are none of the class colours, so nobody
# reads "class 0" into a line of the loss history or an optimizer of a comparison.
LOSS_COLORS = {
    "data_loss": "#332288",  # indigo
    "reg_loss": "#999999",
    "total_loss": "#000000",
    "batch_loss": "#88CCEE",  # light cyan
    "accuracy": "#AA4499",  # purple
}
"""Colour of each loss-history series."""

COMPARE_STYLES = (("#000000", "solid"), ("#882255", "dashed"), ("#56B4E9", "dotted"),
                  ("#999933", "dashdot"))
"""Colour and dash of up to four optimizers compared on one chart (black, wine, sky blue, olive:
apart from the class colours, and apart from each other in grey too)."""

VELOCITY_COLOR = "#7B3294"  # purple: what the optimizer carries over from step to step
BATCH_COLOR = "#111111"  # the ring around the points of the current mini-batch

VERDICT_COLORS = {"pass": "#009E73", "check": "#E69F00", "fail": "#D55E00"}
CLASSROOM_COLORS = {"classroom": "#1F4E79", "exploring": "#FFF3CD", "exploring-edge": "#B08800"}
"""A class's badge: deep blue while the lab follows or drives the class, pale amber when the
student explores on their own (apart from the classes' colours, which the points use)."""
"""Colour of each verdict of the gradient check (and of an error message: "fail")."""
VERDICT_TEXT_COLORS = {"pass": "#00704F", "check": "#8A5A00", "fail": "#B03C00"}
"""The verdicts' colours for text: the class and gradient text colours they match."""

RUN_COLOR = "#2E7D32"
"""The Run button's green: white on it is 5:1 (Bootstrap's success green gives 2.5:1)."""

SELECTED_ROW_COLOR = "#FFE08A"
"""The background of the selected point's row in the table: unmistakable, and every text colour
on it keeps 4.5:1."""


def css_variables():
    """The palette as CSS custom properties (`--losslab-class-0`, `--losslab-muted`, …), for the
    stylesheet: custom properties reach into every component's shadow root."""
    colours = {**{f"class-{k}": c for k, c in enumerate(CLASS_COLORS)},
               **{f"class-{k}-text": c for k, c in enumerate(CLASS_TEXT_COLORS)},
               "gradient": GRADIENT_COLOR, "gradient-text": GRADIENT_TEXT_COLOR,
               "velocity": VELOCITY_COLOR, "muted": TEXT_MUTED, **VERDICT_COLORS,
               **{f"{name}-text": c for name, c in VERDICT_TEXT_COLORS.items()},
               "run": RUN_COLOR, "selected-row": SELECTED_ROW_COLOR,
               **CLASSROOM_COLORS}
    return ":host, :root {\n" + "".join(f"  --losslab-{name}: {value};\n"
                                        for name, value in colours.items()) + "}\n"
