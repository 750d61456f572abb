"""Where LossLab's assets (stylesheet, screenshot) are: inside the installed package, or in the
`assets/` folder of a source checkout."""

from pathlib import Path

_HERE = Path(__file__).resolve().parent
ASSETS = next((p for p in (_HERE / "assets", _HERE.parent / "assets") if p.is_dir()), _HERE / "assets")


def read_asset(name):
    """The text of one asset file."""
    return (ASSETS / name).read_text(encoding="utf-8")


STYLESHEET = read_asset("losslab.css")
"""LossLab's stylesheet. Each component draws in its own shadow DOM, so every component that
uses these classes is given it."""
