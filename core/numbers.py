"""Numbers as the worked math shows them: one format for a whole panel.

A number has ``digits`` significant digits (and always all of its integer digits); between 10⁻⁴
and 10⁶ it is written as a plain decimal, outside as ``a × 10^k``; zero is ``0``. The minus sign
is a true minus: LaTeX typesets ``-`` as one, and ``as_text`` writes U+2212 for plain text.
``rounded`` is the number a reader sees, for checking that a line's arithmetic holds as printed.
"""

import math

PLAIN_RANGE = (1e-4, 1e6)
"""Magnitudes written as plain decimals; outside, in scientific form."""

MINUS = "\u2212"


def _decimals(x, digits):
    return max(0, digits - 1 - math.floor(math.log10(abs(x))))


def _plain(x):
    return PLAIN_RANGE[0] <= abs(x) < PLAIN_RANGE[1]


def rounded(x, digits):
    """``x`` as it is printed with ``digits`` significant digits, as a float."""
    x = float(x)
    if x == 0.0 or not math.isfinite(x):
        return 0.0 if x == 0.0 else x
    if _plain(x):
        return round(x, _decimals(x, digits))
    return float(f"{x:.{digits - 1}e}")


def agrees(computed, printed, digits, slack=0.0):
    """Whether a result computed from printed numbers reads as ``printed`` does (printed with
    ``digits``), to within one unit of its last printed digit (how a reader checks a line), plus
    ``slack``."""
    shown = rounded(printed, digits)
    return abs(float(computed) - shown) <= unit(printed, digits) * (1 + 1e-9) + slack


def unit(x, digits):
    """The size of the last digit of ``x`` printed with ``digits`` significant digits (0 for 0)."""
    x = float(x)
    if x == 0.0 or not math.isfinite(x):
        return 0.0
    if _plain(x):
        return 10.0 ** -_decimals(x, digits)
    return 10.0 ** (math.floor(math.log10(abs(x))) - digits + 1)


def digits_to_unit(x, size):
    """The significant digits ``x`` has when printed to the nearest multiple of ``size`` (a power
    of ten; 0: exact): at least 1."""
    if size == 0.0 or float(x) == 0.0:
        return MAX_SHOWN
    return max(1, math.floor(math.log10(abs(float(x)))) - round(math.log10(size)) + 1)


MAX_SHOWN = 17
"""Significant digits of a number shown exactly (what a float holds)."""


def format_number(x, digits=3):
    """``x`` as LaTeX: ``5.1``, ``0.0173``, ``164``, ``1.23 \\times 10^{-5}``, ``0``."""
    x = float(x)
    digits = min(digits, MAX_SHOWN)
    if x == 0.0:
        return "0"
    if not math.isfinite(x):
        return "\\text{NaN}" if math.isnan(x) else ("-" if x < 0 else "") + "\\infty"
    if _plain(x):
        text = f"{x:.{_decimals(x, digits)}f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        return "0" if text in ("0", "-0") else text
    mantissa, exponent = f"{x:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


def format_setting(x):
    """A setting the user chose (Δ, λ, β), as short as it reads: up to 4 significant digits
    (``1``, ``0.1``, ``0.0001``, ``1 \\times 10^{-5}``)."""
    text = f"{float(x):.4g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa} \\times 10^{{{int(exponent)}}}"


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def as_text(latex_number):
    """A number formatted as LaTeX above, as plain text: ``−1.23×10⁻⁵``."""
    text = latex_number
    if "\\times 10^{" in text:
        mantissa, exponent = text.split(" \\times 10^{")
        text = f"{mantissa}×10{exponent.rstrip('}').translate(_SUPERSCRIPT)}"
    return text.replace("-", MINUS).replace("\\infty", "∞").replace("\\text{NaN}", "NaN")
