"""SelectChoice, imported in one place: WTForms 3.3 declares a choice field's options with it
(tuples are deprecated), but types-WTForms, written for WTForms 3.2, knows neither SelectChoice
nor choices held as SelectChoice, so mypy sees it as Any."""

from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]  # see above

__all__ = ["SelectChoice"]
