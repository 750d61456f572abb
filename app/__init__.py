"""LossLab: an interactive lab for the losses and optimizers of a linear classifier s = W x + b.

In a notebook or a script::

    from losslab import create_app
    create_app()                 # the lab, in the cell's output

``losslab.core`` is the NumPy engine and imports no UI library; this module reaches the page
(Panel, Bokeh) only when ``create_app`` or ``LabState`` is first asked for.
"""

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
        if name == "create_app":
            from losslab.transport import notebook

            # In a kernel, a pn.extension() of the notebook's own, after this import, then loads
            # what the lab needs from the installed packages, as create_app itself would.
            notebook.prepare_kernel()
        return found
    raise AttributeError(f"module 'losslab' has no attribute {name!r}")
