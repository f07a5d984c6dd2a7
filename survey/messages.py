"""Messages made where no request is at hand (the questionnaire's rules, the show-if parser, the
questionnaire spreadsheet's reader in exports/xlsform) and shown where one is: each keeps its
English template and values, and the page translates the template into its language
(`survey.i18n.translated`). `str()` gives the English, for the CLI and logs. Flask-free, like
the code that uses it."""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a string for extraction into the message catalogue; it is translated where shown."""
    return text


class Message:
    """An English template (marked with N_) and its values, which may be messages too."""

    __slots__ = ("template", "values")

    def __init__(self, template: str, **values: object) -> None:
        self.template = template
        self.values = values

    def __str__(self) -> str:
        if not self.values:
            return self.template
        return self.template % {
            name: str(v) if isinstance(v, Message) else v for name, v in self.values.items()
        }

    def __repr__(self) -> str:
        return f"Message({str(self)!r})"


def excerpt(text: str, limit: int = 80) -> str:
    """At most `limit` characters of a text a message echoes, with an ellipsis when cut, so a
    mistake in a huge cell or expression never echoes all of it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
