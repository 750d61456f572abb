"""LossLab: an interactive lab for the losses and optimizers of a linear classifier s = W x + b.

In a notebook or a script::

    from losslab import create_app
    create_app()                 # the lab, in the cell's output

``losslab.core`` is the NumPy engine and imports no UI library; this module reaches the page
(Panel, Bokeh) only when ``create_app`` or ``LabState`` is first asked for.
"""

import sys

__version__ = "0.2.0"

__all__ = ["LabState", "__version__", "create_app"]

# {name: (module, its name there)}. create_app is the page's, with what a server's session needs.
_LAZY = {"create_app": ("losslab.server.serving", "create_session_app"),
         "LabState": ("losslab.session.state", "LabState")}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module, attribute = _LAZY[name]
        found = getattr(importlib.import_module(module), attribute)
        _prepare_a_kernel()  # Panel is imported now
        return found
    raise AttributeError(f"module 'losslab' has no attribute {name!r}")


def _prepare_a_kernel():
    """In a Jupyter kernel that has imported Panel, have the `pn.extension()` a notebook may call
    next load what the lab needs, from the installed packages, as `create_app` itself would."""
    if "panel" in sys.modules and "IPython" in sys.modules:
        from losslab.transport import notebook

        if notebook.in_kernel():
            notebook.prepare_kernel()


_prepare_a_kernel()
