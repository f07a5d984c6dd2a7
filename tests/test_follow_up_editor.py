"""The follow-up questionnaire is edited, versioned and published with the same editor as the
study's (`?questionnaire=follow-up`, kept on every editor link), and needs no eligibility or
consent page."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from survey.models import Page, Question, Questionnaire, QuestionnaireVersion, VersionStatus
from survey.questionnaire.loader import DEFAULT_FOLLOW_UP, build_version
from survey.questionnaire.rules import publishing_problems
from tests.follow_up_steps import follow_up  # noqa: F401 - a fixture

BASE = "/staff/admin/questionnaire"
FOLLOW_UP = "?questionnaire=follow-up"


def versions_of(db, slug: str) -> list[tuple[int, str]]:
    db.session.rollback()
    return [
        (v.number, v.status)
        for v in db.session.scalars(
            select(QuestionnaireVersion)
            .join(Questionnaire)
            .where(Questionnaire.slug == slug)
            .order_by(QuestionnaireVersion.number)
        )
    ]


def test_the_editor_edits_and_publishes_the_follow_up_questionnaire(app, db, admin, follow_up):  # noqa: F811
    overview = admin.get(f"{BASE}/{FOLLOW_UP}").get_data(as_text=True)
    assert 'aria-current="page">The follow-up questionnaire' in overview
    assert f'action="{BASE}/draft/start{FOLLOW_UP}"' in overview
    started = admin.post(f"{BASE}/draft/start{FOLLOW_UP}", {}, fetch=False)
    assert started.status_code == 302 and started.location.endswith(f"/draft{FOLLOW_UP}")
    assert versions_of(db, "milk-follow-up") == [(1, "published"), (2, "draft")]
    assert versions_of(db, "milk") == [(1, "published")]  # the study's is untouched

    draft_page = admin.get(f"{BASE}/draft{FOLLOW_UP}").get_data(as_text=True)
    main = draft_page.split("<main")[1]  # the header's menu leads to the study's
    links = re.findall(rf'(?:href|action)="({BASE}/[^"]*)"', main)
    assert len(links) > 10 and all("questionnaire=follow-up" in link for link in links)

    draft_id = db.session.scalar(
        select(QuestionnaireVersion.id).where(QuestionnaireVersion.status == VersionStatus.DRAFT)
    )
    question = db.session.scalar(
        select(Question)
        .join(Question.page)
        .where(Question.name == "returned_to_toolkit")
        .where(Question.page.has(version_id=draft_id))
    )
    edited = admin.post(
        f"{BASE}/draft/questions/{question.id}{FOLLOW_UP}",
        {
            "type": question.type,
            "choice_list": str(question.choice_list_id),
            "label_en": "Did you open the toolkit again?",
            "label_fr": question.label_fr,
            "required": "y",
            "submit": "x",
        },
    )
    assert edited.status_code == 302, edited.get_data(as_text=True)[:2000]
    admin.get(f"{BASE}/draft/publish{FOLLOW_UP}")
    published = admin.post(
        f"{BASE}/draft/publish{FOLLOW_UP}", {"confirm": "y", "submit": "x"}, fetch=False
    )
    assert published.status_code == 302, published.get_data(as_text=True).split("<h1>")[1][:1500]
    assert versions_of(db, "milk-follow-up") == [(1, "retired"), (2, "published")]
    assert versions_of(db, "milk") == [(1, "published")]
    # Without the parameter, the editor is the study's questionnaire's, as before.
    assert 'aria-current="page">The study' in admin.get(f"{BASE}/").get_data(as_text=True)


def test_the_follow_up_has_no_consent_page_and_the_study_needs_one(db):
    definition = json.loads(DEFAULT_FOLLOW_UP.read_text(encoding="utf-8"))
    version = build_version(definition)
    assert [p.kind for p in version.pages] == ["questions"]
    assert str_problems(publishing_problems(db.session, version, follow_up=True)) == []
    assert any(
        "needs a consent page" in p for p in str_problems(publishing_problems(db.session, version))
    )
    version.pages.append(Page(position=9, name="agree", kind="consent", title_en="Consent"))
    assert str_problems(publishing_problems(db.session, version, follow_up=True)) == [
        "page agree: the follow-up questionnaire has no eligibility or consent page: the "
        "survey's consent covers it"
    ]


def str_problems(problems) -> list[str]:
    return [str(p) for p in problems]
