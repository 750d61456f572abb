"""What the page calls each thing core names: every loss, regularizer, optimizer, schedule,
hyper-parameter, preset, parameter and class, keyed by core's own registry keys.

A widget that offers a choice takes ``choices(LOSSES)`` — {label: key} — so the state always
holds core's key and the page always shows the label written here.
"""

from losslab import core

LOSSES = {
    "weston_watkins": "Weston–Watkins",
    "one_vs_all": "One-vs-All",
    "structured_svm": "Structured",
    "softmax": "Softmax",
}
REGULARIZERS = {"l2": "L2", "l1": "L1", "elastic_net": "Elastic net"}
OPTIMIZERS = {
    "sgd": "SGD",
    "momentum": "Momentum",
    "nesterov": "Nesterov",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
}
SCHEDULES = {"constant": "Constant", "step": "Step decay", "exponential": "Exponential decay"}
HYPERPARAMETERS = {
    "momentum": "Momentum μ",
    "rho": "Decay ρ",
    "beta1": "β1",
    "beta2": "β2",
    "eps": "ε",
}
"""Every hyper-parameter an optimizer of core declares, besides the step size."""
PRESETS = {
    "default": "The reference demo's 9 points",
    "separable_blobs": "Separable blobs",
    "overlapping": "Overlapping classes",
    "outlier": "One outlier",
    "single_point_class": "A class with a single point",
}


def parameter_label(name):
    """The label of one of core's parameter names: "W01" → "W[0,1]", "b2" → "b[2]"."""
    return f"W[{name[1]},{name[2]}]" if name.startswith("W") else f"b[{name[1:]}]"


PARAMETERS = {name: parameter_label(name) for name in core.PARAMETER_NAMES}
CLASSES = tuple(f"class {k}" for k in range(core.NUM_CLASSES))


def choices(labels):
    """{label: key} of a table above, for a selector or a widget's options."""
    return {label: key for key, label in labels.items()}
