"""The follow-up's offer on the survey's thank-you page (survey.participate.entry_views)."""

from __future__ import annotations

from typing import Any

from forms.follow_up import SignUpForm
from survey.extensions import db
from survey.follow_up import contacts
from survey.follow_up.blueprint import offered
from survey.models import Response


def follow_up_offer(response: Response) -> dict[str, Any]:
    """What the thank-you page needs to offer the follow-up: nothing when it is not offered (no
    key, or no published follow-up questionnaire)."""
    if response.follow_up_of is not None or not offered():
        return {}
    return {
        "follow_up_form": SignUpForm(),
        "follow_up_days": contacts.settings(db.session).invite_after_days,
        "follow_up_contact": contacts.contact_of(db.session, response.id),
    }
