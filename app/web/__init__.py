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


STYLESHEET = css_variables() + (WEB / "losslab.css").read_text(encoding="utf-8")
"""LossLab's stylesheet, after the palette's colours as CSS variables. Each component draws in
its own shadow DOM, so every component that uses these classes is given it."""
