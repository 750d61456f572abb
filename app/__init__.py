"""LossLab: an interactive lab for the losses and optimizers of a linear classifier s = W x + b.

In a notebook or a script::

    from losslab import create_app
    create_app()                 # the lab, in the cell's output

``losslab.core`` is the NumPy engine and imports no UI library; this module reaches the page
(Panel, Bokeh) only when ``create_app`` or ``LabState`` is first asked for.
"""

__version__ = "0.2.0"

__all__ = ["LabState", "__version__", "create_app"]

_LAZY = {"create_app": "losslab.page", "LabState": "losslab.session.state"}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'losslab' has no attribute {name!r}")
