"""Numbers as their shortest decimal form reads them (the form Python's repr and the browser's
String give alike): rounding on those decimals and writing them as the browser does, so the
server's expressions (expressions.py) and the participant's browser (static/show-if.js,
`round` and `text` there) give the same values."""

from __future__ import annotations

import math
import re


def plain(number: float) -> float:
    """-0 as 0: XPath keeps a negative zero (round(-0.4) is -0), which Excel and the codebook
    would show as -0."""
    return number + 0.0


DECIMAL = re.compile(r"(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?")


def xpath_round(number: float, digits: float) -> float:
    """round(number, digits): to `digits` decimals (ODK's second argument; negative rounds to
    tens, hundreds...), a half towards positive infinity as XPath 1.0's round() (2.5 -> 3,
    -2.5 -> -2). The halves are decided on the number's shortest decimal form, the one typed
    and shown (1.005 to 2 decimals is 1.01, though the double nearest 1.005 is below it), so
    show-if.js, working on the same digits, gives the same double."""
    places = int(max(-400.0, min(400.0, digits)))  # ODK reads the digits as an integer
    parts = DECIMAL.fullmatch(repr(number))
    if parts is None:  # repr of a finite float always matches
        raise AssertionError(number)
    sign, whole, fraction, exponent = parts.groups()
    mantissa = whole + (fraction or "")
    # mantissa * 10**scale is the number; keep its digits down to 10**-places.
    scale = int(exponent or 0) - len(fraction or "")
    keep = len(mantissa) + scale + places
    if keep >= len(mantissa):
        return number
    kept = int(mantissa[:keep]) if keep > 0 else 0
    dropped = mantissa[max(keep, 0) :] if keep >= 0 else "0"
    half = (
        dropped[0] >= "5"
        if not sign
        else dropped[0] > "5" or (dropped[0] == "5" and dropped[1:].strip("0") != "")
    )
    if half:
        kept += 1
    return plain(float(f"{sign}{kept}e{-places}"))


def number_text(number: float) -> str:
    """A number as JavaScript's Number.prototype.toString writes it (ECMA-262,
    Number::toString): plain decimals from 1e-6 to 1e21, an exponent outside."""
    if not math.isfinite(number):
        return "NaN" if math.isnan(number) else ("Infinity" if number > 0 else "-Infinity")
    if number == 0:
        return "0"
    parts = DECIMAL.fullmatch(repr(abs(number)))
    if parts is None:
        raise AssertionError(number)
    _, whole, fraction, exponent = parts.groups()
    digits = (whole + (fraction or "")).lstrip("0")
    # the point's place: 10**point > |number| >= 10**(point - 1)
    point = len(whole) + int(exponent or 0) - (len(whole + (fraction or "")) - len(digits))
    digits = digits.rstrip("0")
    sign = "-" if number < 0 else ""
    if len(digits) <= point <= 21:
        return sign + digits + "0" * (point - len(digits))
    if 0 < point <= 21:
        return sign + digits[:point] + "." + digits[point:]
    if -6 < point <= 0:
        return sign + "0." + "0" * -point + digits
    shown = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{shown}e{'+' if point - 1 >= 0 else '-'}{abs(point - 1)}"
