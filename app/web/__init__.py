"""The lab's browser side: its stylesheet and one script per browser component, all files beside
this one, so no JavaScript or CSS is written inside Python."""

from pathlib import Path

from losslab.palette import css_variables

WEB = Path(__file__).resolve().parent


def script_path(name):
    """Where the script `name` (say "plot_drag.js") is, for a component's `_esm`."""
    path = WEB / name
    if not path.is_file():
        raise FileNotFoundError(f"no browser script {name!r} in {WEB}")
    return path


def script(name):
    """The text of the script `name`, for a Bokeh CustomJS callback."""
    return script_path(name).read_text(encoding="utf-8")


class ScriptModule(str):
    """One browser module made of several script files, in order (its text); `parts` names
    them. A component's module reaches the browser as text, where it cannot import files beside
    it, so a large component is written as several files: each declares its top-level functions
    for the files after it, and only the last exports."""

    parts: tuple


def script_module(*names):
    """The files `names` as one module, for a component's `_esm`."""
    module = ScriptModule("\n".join(script(name) for name in names))
    module.parts = names
    return module


def stylesheet(name):
    """The palette's colours as CSS variables, then the stylesheet `name` beside this file."""
    return css_variables() + (WEB / name).read_text(encoding="utf-8")


STYLESHEET = stylesheet("losslab.css")
"""LossLab's stylesheet, after the palette's colours as CSS variables. Each component draws in
its own shadow DOM, so every component that uses these classes is given it."""


WIDGET_STYLESHEET = stylesheet("widgets.css")
"""What Panel's and Bokeh's widgets are given, so that they follow the page's type and palette."""
