"""One plain sentence per outcome, in English or French, for the Outcomes sheet (both) and the
dashboard (the page's language). The templates are in the message catalogue like every other
text (marked N_); numbers are written the language's way (72.4 / 72,4)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

import survey
from exports.outcomes import Confidence, Outcomes, Pain, Usability
from survey.messages import N_, Message

CATALOGUES = Path(survey.__file__).parent / "translations"
OUTCOME_NAMES = {
    "usability": N_("Usability"),
    "pain": N_("Pain"),
    "confidence": N_("Confidence"),
}


class OneDecimal(float):
    """A figure written with exactly one decimal (percentages, means, confidence limits)."""


def _one(x: float | None) -> OneDecimal | None:
    return None if x is None else OneDecimal(x)


@lru_cache(maxsize=4)
def _translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    return Translations.load(str(CATALOGUES), [language])


def _number(value: object, language: str) -> object:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value
    if isinstance(value, OneDecimal):
        return format_decimal(value, "#,##0.0", locale=language)
    return format_decimal(value, "#,##0.##", locale=language)


def render(message: Message | str, language: str) -> str:
    """A message in `language` (en or fr), its numbers written that language's way."""
    if not isinstance(message, Message):
        return _translations(language).gettext(message)
    if not message.values:  # a template without values may hold a lone % ("95% CI")
        return _translations(language).gettext(message.template)
    values = {
        name: render(v, language) if isinstance(v, Message) else _number(v, language)
        for name, v in message.values.items()
    }
    return _translations(language).gettext(message.template) % values


def usability_sentence(u: Usability) -> Message:
    n = u.numbers.n
    if n == 0:
        return Message(N_("Usability: no participant answered all ten SUS items."))
    share = {
        "mean": _one(u.numbers.mean),
        "n": n,
        "above": u.at_or_above_average.n,
        "percent": _one(u.at_or_above_average.percent),
    }
    if u.ci is None:
        return Message(
            N_(
                "The mean SUS score was %(mean)s (n = %(n)s, too few for a confidence "
                "interval); %(above)s of %(n)s participants (%(percent)s%%) scored 68 or more, "
                "the published average."
            ),
            **share,
        )
    return Message(
        N_(
            "The mean SUS score was %(mean)s (95%% CI %(low)s to %(high)s, n = %(n)s); "
            "%(above)s of %(n)s participants (%(percent)s%%) scored 68 or more, the published "
            "average."
        ),
        low=_one(u.ci.low),
        high=_one(u.ci.high),
        **share,
    )


def pain_sentence(p: Pain) -> Message:
    n = p.numbers.n
    if n == 0:
        return Message(N_("Pain: none of those who tried hand expression rated their pain."))
    return Message(
        N_(
            "%(any)s of %(n)s participants who tried hand expression (%(percent)s%%) felt some "
            "pain; the median rating was %(median)s out of 10 (IQR %(q1)s to %(q3)s)."
        ),
        any=p.any_pain.n,
        n=n,
        percent=_one(p.any_pain.percent),
        median=p.numbers.median,
        q1=p.numbers.q1,
        q3=p.numbers.q3,
    )


def confidence_sentence(c: Confidence) -> Message:
    if c.pairs == 0:
        return Message(
            N_("Confidence: no participant answered both the before and the after question.")
        )
    return Message(
        N_(
            "Confidence rose for %(improved)s of %(n)s participants (%(percent)s%%), stayed the "
            "same for %(same)s and fell for %(worse)s."
        ),
        improved=c.improved.n,
        n=c.pairs,
        percent=_one(c.improved.percent),
        same=c.unchanged.n,
        worse=c.worse.n,
    )


def sentences(outcomes: Outcomes) -> dict[str, Message]:
    """outcome -> its sentence, or why it is not available, in the order usability, pain,
    confidence."""
    found: dict[str, Message] = {}
    for key, name in OUTCOME_NAMES.items():
        if key in outcomes.unavailable:
            found[key] = Message(
                N_("%(outcome)s: %(why)s"), outcome=Message(name), why=outcomes.unavailable[key]
            )
    if outcomes.usability:
        found["usability"] = usability_sentence(outcomes.usability)
    if outcomes.pain:
        found["pain"] = pain_sentence(outcomes.pain)
    if outcomes.confidence:
        found["confidence"] = confidence_sentence(outcomes.confidence)
    return {key: found[key] for key in OUTCOME_NAMES}


EXPLORATORY = N_(
    "Subgroup comparisons are exploratory: they were not planned and their p values are not "
    "corrected for multiple testing."
)
