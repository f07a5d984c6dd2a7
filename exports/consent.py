"""What the exported responses agreed to: the consent text of every questionnaire version in
the export and every study information revision its responses consented with, for the About and
Codebook sheets."""

from __future__ import annotations

from survey.models import PageKind, QuestionnaireVersion, StudyInformation
from survey.models.study import BILINGUAL_FIELDS, FIELD_ORDER

LANGUAGES = (("en", "English"), ("fr", "French"))
FIELD_NAMES = {
    "title": "Study",
    "institution": "Institution",
    "investigator": "Principal investigator",
    "contact_email": "Contact email",
    "contact_phone": "Contact phone",
    "ethics_board": "Research ethics board",
    "approval_number": "Ethics approval number",
    "retention": "How long data are kept",
    "withdrawal": "How to withdraw",
}


def consent_text(version: QuestionnaireVersion, language: str) -> str:
    page = next((p for p in version.pages if p.kind == PageKind.CONSENT), None)
    return (page.text("intro", language) if page else "") or ""


def information_text(revision: StudyInformation, language: str) -> str:
    """The revision as lines of "field: value" (unfilled fields say so)."""
    lines = []
    for field in FIELD_ORDER:
        value = revision.value(field, language) if field in BILINGUAL_FIELDS else None
        value = value if value is not None else getattr(revision, field)
        lines.append(f"{FIELD_NAMES[field]}: {value.strip() or '(to be completed)'}")
    return "\n".join(lines)


def about_rows(
    versions: list[QuestionnaireVersion], revisions: list[StudyInformation]
) -> list[tuple[str, str]]:
    rows = []
    for version in versions:
        for code, name in LANGUAGES:
            rows.append(
                (
                    f"Consent text, version {version.number} ({version.consent_version}), {name}",
                    consent_text(version, code),
                )
            )
    for revision in revisions:
        for code, name in LANGUAGES:
            rows.append(
                (
                    f"Study information shown with the consent, revision {revision.number}, {name}",
                    information_text(revision, code),
                )
            )
    return rows


def codebook_notes(
    versions: list[QuestionnaireVersion], revisions: list[StudyInformation]
) -> dict[str, str]:
    """The texts behind the consent_version and study_information columns' values."""
    consent = "\n\n".join(
        f"{version.consent_version} (questionnaire version {version.number}), {name}:\n"
        f"{consent_text(version, code)}"
        for version in versions
        for code, name in LANGUAGES
    )
    information = "\n\n".join(
        f"Revision {revision.number}, {name}:\n{information_text(revision, code)}"
        for revision in revisions
        for code, name in LANGUAGES
    )
    return {"consent_version": consent, "study_information": information}
