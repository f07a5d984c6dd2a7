"""Forms of the questionnaire editor. Each checks its own fields (formats, lengths, numbers that
the database's constraints need); what concerns the draft as a whole is checked afterwards by
`survey.questionnaire.rules.check_draft`."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, SelectField, StringField, SubmitField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from forms.choices import SelectChoice
from forms.fields import NamesField, NumberField, name_field, strip, text, whole_number
from survey.models import (
    BOUNDED_TYPES,
    TEXT_TYPES,
    ChoiceList,
    Page,
    PageKind,
    Question,
    QuestionType,
    Score,
)
from survey.questionnaire.expressions import MAX_LENGTH as MAX_EXPRESSION_LENGTH
from survey.questionnaire.types import SPECS

CODE_PATTERN = r"^[A-Za-z0-9_.-]+$"  # multiple-choice answers keep codes separated by spaces
LONGEST_TEXT = 32_767  # what one Excel cell holds (codebook and questionnaire spreadsheet)

# Each type's label is marked in its spec (survey/questionnaire/types.py) and translated here.
TYPE_LABELS = {spec.type: _l(spec.label) for spec in SPECS.values()}
KIND_LABELS = {
    PageKind.ELIGIBILITY: _l("Eligibility screen"),
    PageKind.CONSENT: _l("Consent"),
    PageKind.QUESTIONS: _l("Questions"),
    PageKind.TOOLKIT: _l("The toolkit"),
}
AGGREGATE_LABELS = {"sum": _l("Sum"), "mean": _l("Mean")}


class EditorForm(FlaskForm):
    """A form whose fields, shown in `fieldsets`, are columns of a model object (except those in
    `not_columns`); an empty text is stored as NULL."""

    fieldsets: tuple[tuple[Any, tuple[str, ...]], ...] = ()
    not_columns: frozenset[str] = frozenset()

    @classmethod
    def columns(cls) -> list[str]:
        names = [name for _legend, names in cls.fieldsets for name in names]
        return [name for name in names if name not in cls.not_columns]

    def __init__(self, *args, taken: AbstractSet[str] = frozenset(), **kwargs) -> None:
        """`taken`: the names (or codes) the item's siblings already use."""
        super().__init__(*args, **kwargs)
        self.taken = taken

    def values(self) -> dict[str, Any]:
        return {name: _empty(self[name].data) for name in self.columns() if name in self}

    def refuse_taken(self, field: Field, message) -> None:
        if field.data in self.taken:
            raise ValidationError(message)


def _empty(value: Any) -> Any:
    """A blank text becomes NULL; False and 0 stay as they are."""
    return None if value == "" else value


class SettingsForm(EditorForm):
    title_en = text(_l("Title (English)"), required=True)
    title_fr = text(_l("Title (French)"))
    consent_version = text(
        _l("Consent version"),
        required=True,
        maximum=64,
        description=_l(
            "Recorded with each participant's consent. Change it when the consent text changes."
        ),
    )
    submit = SubmitField(_l("Save the settings"))

    fieldsets = ((_l("Questionnaire"), ("title_en", "title_fr", "consent_version")),)


class PageDetailsForm(EditorForm):
    """A page's own fields (its questions are edited one by one with QuestionForm)."""

    name = name_field(
        _l("Page name"), _l("A short name for exports and the spreadsheet, e.g. about_you.")
    )
    kind = SelectField(
        _l("Kind of page"),
        choices=[SelectChoice(kind.value, label) for kind, label in KIND_LABELS.items()],
        default=PageKind.QUESTIONS.value,
    )
    title_en = text(_l("Title (English)"), required=True)
    title_fr = text(_l("Title (French)"))
    intro_en = text(_l("Introduction (English)"), maximum=10_000, multiline=True)
    intro_fr = text(_l("Introduction (French)"), maximum=10_000, multiline=True)
    show_if = text(
        _l("Show this page only if"),
        maximum=MAX_EXPRESSION_LENGTH,
        description=_l(
            "An expression of earlier pages' answers, such as ${pregnant} = 'yes'. When it is "
            "false the page and its questions are skipped. Leave empty to always show."
        ),
    )
    screen_out_if = text(
        _l("End the survey after this page if"),
        maximum=MAX_EXPRESSION_LENGTH,
        description=_l("An expression such as ${consent} = 'no'. Leave empty to always go on."),
    )
    submit = SubmitField(_l("Save the page"))

    fieldsets = (
        (_l("Page"), ("name", "kind", "show_if", "screen_out_if")),
        (_l("English"), ("title_en", "intro_en")),
        (_l("French"), ("title_fr", "intro_fr")),
    )

    def validate_name(self, field: Field) -> None:
        self.refuse_taken(field, _l("Another page has this name."))


class QuestionForm(EditorForm):
    name = name_field(
        _l("Variable name"),
        _l("Names the answers in exports and show-if conditions. It is fixed once published."),
    )
    type = SelectField(
        _l("Type"),
        choices=[SelectChoice(t.value, label) for t, label in TYPE_LABELS.items()],
        default=QuestionType.SHORT_TEXT.value,
    )
    choice_list = SelectField(
        _l("Choice list"),
        choices=[],
        default="",
        description=_l("For single choice, multiple choice, yes / no and Likert questions."),
    )
    label_en = text(_l("Question (English)"), required=True, maximum=5000, multiline=True)
    hint_en = text(_l("Hint (English)"), maximum=5000, multiline=True)
    label_fr = text(_l("Question (French)"), maximum=5000, multiline=True)
    hint_fr = text(_l("Hint (French)"), maximum=5000, multiline=True)
    required = BooleanField(_l("An answer is required"))
    min_value = NumberField(_l("Smallest answer allowed"), validators=[Optional()])
    max_value = NumberField(_l("Largest answer allowed"), validators=[Optional()])
    max_length = whole_number(_l("Longest answer allowed (characters)"), 1, LONGEST_TEXT)
    identifier = BooleanField(_l("Identifies the participant (left out of de-identified exports)"))
    default_answer = text(
        _l("Default answer"),
        maximum=5000,
        description=_l(
            "Filled in the first time the participant sees the page; they can change or clear "
            "it. A choice's code (codes separated by spaces for multiple choice), a number, a "
            "date such as 2026-03-14, a time such as 14:30, or text. Leave empty for none."
        ),
    )
    show_if = text(
        _l("Show only if"),
        maximum=MAX_EXPRESSION_LENGTH,
        description=_l("An expression such as ${pregnant} = 'yes'. Leave empty to always show."),
    )
    calculation = text(
        _l("Calculation"),
        maximum=MAX_EXPRESSION_LENGTH,
        description=_l(
            "For a calculated question only: an expression of earlier answers, such as "
            "${pain_before} - ${pain_after} or (${a} + ${b}) div 2 (+ - * div mod and "
            "parentheses). It is computed when a page is saved and never shown."
        ),
    )
    submit = SubmitField(_l("Save the question"))

    fieldsets = (
        (_l("Question"), ("name", "type", "choice_list")),
        (_l("English"), ("label_en", "hint_en")),
        (_l("French"), ("label_fr", "hint_fr")),
        (
            _l("Answer"),
            ("required", "min_value", "max_value", "max_length", "default_answer", "identifier"),
        ),
        (_l("Condition"), ("show_if",)),
        (_l("Calculation"), ("calculation",)),
    )
    not_columns = frozenset({"choice_list"})

    def __init__(
        self, *args, choice_lists: Iterable[ChoiceList] = (), name_fixed: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.choice_list.choices = [SelectChoice("", _l("None"))] + [
            SelectChoice(str(c.id), f"{c.name} ({', '.join(ch.code for ch in c.choices)})")
            for c in choice_lists
        ]
        if name_fixed:
            del self.name

    @staticmethod
    def data_of(question: Question) -> dict[str, Any]:
        data = {name: getattr(question, name) for name in QuestionForm.columns()}
        data["choice_list"] = str(question.choice_list_id or "")
        return data

    def chosen_list_id(self) -> int | None:
        return int(self.choice_list.data) if self.choice_list.data else None

    def validate_min_value(self, field: Field) -> None:
        if field.data is not None and self.type.data not in BOUNDED_TYPES:
            raise ValidationError(_l("Only number and rating questions have a smallest answer."))

    def validate_max_value(self, field: Field) -> None:
        if field.data is None:
            return
        if self.type.data not in BOUNDED_TYPES:
            raise ValidationError(_l("Only number and rating questions have a largest answer."))
        if self.min_value.data is not None and field.data < self.min_value.data:
            raise ValidationError(_l("The largest answer is below the smallest."))

    def validate_max_length(self, field: Field) -> None:
        if field.data is not None and self.type.data not in TEXT_TYPES:
            raise ValidationError(_l("Only text questions have a longest answer."))


class MoveToPageForm(FlaskForm):
    page = SelectField(_l("Page"), choices=[])
    move = SubmitField(_l("Move the question"))  # not `submit`: it shares a page with QuestionForm

    def __init__(self, *args, pages: Iterable[Page] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.page.choices = [
            SelectChoice(str(p.id), f"{p.position}. {p.title_en} ({p.name})") for p in pages
        ]


class ChoiceListForm(EditorForm):
    name = name_field(_l("List name"), _l("E.g. agree5. Questions choose a list by this name."))
    submit = SubmitField(_l("Save the list"))

    fieldsets = ((_l("Choice list"), ("name",)),)

    def validate_name(self, field: Field) -> None:
        self.refuse_taken(field, _l("Another choice list has this name."))


class ChoiceForm(EditorForm):
    code = StringField(
        _l("Code"),
        description=_l("What exports hold, e.g. 1 or strongly_agree. Keep it once people answer."),
        filters=[strip],
        validators=[
            InputRequired(message=_l("Please fill this in.")),
            Length(max=64, message=_l("Use at most %(max)d characters.")),
            Regexp(CODE_PATTERN, message=_l("Use letters, digits, _ . and - only (no spaces).")),
        ],
    )
    label_en = text(_l("Label (English)"), required=True, maximum=500)
    label_fr = text(_l("Label (French)"), maximum=500)
    submit = SubmitField(_l("Save the choice"))

    fieldsets = ((_l("Choice"), ("code", "label_en", "label_fr")),)

    def validate_code(self, field: Field) -> None:
        self.refuse_taken(field, _l("Another choice in this list has this code."))


class ScoreForm(EditorForm):
    name = name_field(
        _l("Variable name of the score"), _l("E.g. sus_score; a column of the exported responses.")
    )
    label_en = text(_l("Label (English)"), required=True)
    label_fr = text(_l("Label (French)"))
    items = NamesField(
        _l("Items"),
        validators=[InputRequired(message=_l("Please fill this in."))],
        description=_l("Variable names of the questions scored, separated by commas or spaces."),
    )
    reversed_items = NamesField(
        _l("Reverse-keyed items"),
        description=_l("Items scored as (largest + smallest − answer); leave empty if none."),
    )
    scale_min = whole_number(_l("Smallest answer of each item"), -1000, 1000, required=True)
    scale_max = whole_number(_l("Largest answer of each item"), -1000, 1000, required=True)
    offset = NumberField(_l("Subtracted from each item"), default=0, validators=[Optional()])
    aggregate = SelectField(
        _l("Combine the items by"),
        choices=[SelectChoice(key, label) for key, label in AGGREGATE_LABELS.items()],
        default="sum",
    )
    multiplier = NumberField(
        _l("Multiplied by"),
        default=1,
        validators=[InputRequired(message=_l("Please enter a number."))],
    )
    rule_en = text(_l("The rule in words (English)"), required=True, maximum=5000, multiline=True)
    rule_fr = text(_l("The rule in words (French)"), maximum=5000, multiline=True)
    submit = SubmitField(_l("Save the score"))

    fieldsets = (
        (_l("Score"), ("name", "label_en", "label_fr")),
        (_l("Items"), ("items", "reversed_items", "scale_min", "scale_max")),
        (_l("Calculation"), ("offset", "aggregate", "multiplier")),
        (_l("Codebook"), ("rule_en", "rule_fr")),
    )

    def validate_name(self, field: Field) -> None:
        self.refuse_taken(field, _l("Another score has this name."))

    def validate_scale_max(self, field: Field) -> None:
        low = self.scale_min.data
        if field.data is not None and low is not None and field.data <= low:
            raise ValidationError(_l("The largest answer must be above the smallest."))

    def values(self) -> dict[str, Any]:
        values = super().values()
        values["items"] = list(self.items.data or [])
        values["reversed_items"] = list(self.reversed_items.data or [])
        values["offset"] = self.offset.data or 0
        return values

    @staticmethod
    def data_of(score: Score) -> dict[str, Any]:
        return {name: getattr(score, name) for name in ScoreForm.columns()}


class DiscardDraftForm(FlaskForm):
    confirm = BooleanField(
        _l("Yes, throw away the draft and every change in it"),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    submit = SubmitField(_l("Discard the draft"))


class ConfirmForm(FlaskForm):
    """A confirmation page's one button."""

    submit = SubmitField(_l("Remove"))
