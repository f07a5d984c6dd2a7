"""The admin's form for the study's information, in English and French."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, SubmitField
from wtforms.validators import Regexp, ValidationError

from forms.fields import email_format, text
from survey.models.study import BILINGUAL_FIELDS, PLAIN_FIELDS

# Digits with the usual separators, an optional leading +, and an optional extension.
PHONE = r"^\+?[0-9][0-9 ().-]{5,28}[0-9](\s*(ext\.?|x|poste)\s*[0-9]{1,6})?$"


def _not_blank(field: Field) -> None:
    """Spaces alone pass InputRequired (it looks at what was sent) but are trimmed to nothing."""
    if not field.data:
        raise ValidationError(_l("Please fill this in."))


class StudyInformationForm(FlaskForm):
    title_en = text(_l("Study title (English)"), required=True)
    title_fr = text(_l("Study title (French)"), required=True)
    institution_en = text(_l("Institution (English)"))
    institution_fr = text(_l("Institution (French)"))
    investigator = text(
        _l("Principal investigator"), description=_l("Name and title, e.g. Dr. A. Tremblay.")
    )
    contact_email = text(_l("Contact email"), maximum=254, extra=(email_format(),))
    contact_phone = text(
        _l("Contact phone"),
        maximum=40,
        description=_l("For example +1 613 555 0100 ext. 1234."),
        extra=(Regexp(PHONE, message=_l("Please enter a phone number like +1 613 555 0100.")),),
    )
    ethics_board_en = text(_l("Research ethics board (English)"))
    ethics_board_fr = text(_l("Research ethics board (French)"))
    approval_number = text(_l("Ethics approval number"), maximum=100)
    retention_en = text(_l("How long data are kept (English)"), maximum=2000, multiline=True)
    retention_fr = text(_l("How long data are kept (French)"), maximum=2000, multiline=True)
    withdrawal_en = text(_l("How to withdraw (English)"), maximum=2000, multiline=True)
    withdrawal_fr = text(_l("How to withdraw (French)"), maximum=2000, multiline=True)
    save = SubmitField(_l("Save as a new revision"))

    fieldsets = (
        (_l("The study"), ("title_en", "title_fr", "institution_en", "institution_fr")),
        (_l("Who to contact"), ("investigator", "contact_email", "contact_phone")),
        (_l("Ethics approval"), ("ethics_board_en", "ethics_board_fr", "approval_number")),
        (_l("Your data"), ("retention_en", "retention_fr", "withdrawal_en", "withdrawal_fr")),
    )

    def validate_title_en(self, field: Field) -> None:
        _not_blank(field)

    def validate_title_fr(self, field: Field) -> None:
        _not_blank(field)

    def values(self) -> dict[str, str]:
        """Column name -> text, once validated."""
        names = [f"{f}_{lang}" for f in BILINGUAL_FIELDS for lang in ("en", "fr")]
        return {name: self[name].data or "" for name in [*names, *PLAIN_FIELDS]}
