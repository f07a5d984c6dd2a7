"""Answers that complete the default questionnaire, page by page, through HTTP."""

from __future__ import annotations

SUS_85 = dict(
    zip(
        [f"sus_{i:02d}" for i in range(1, 11)],
        ["4", "1", "5", "2", "5", "1", "4", "2", "3", "1"],
        strict=True,
    )
)

RATING_ITEMS = [
    f"rating_{name}"
    for name in (
        "informative",
        "easy_to_understand",
        "layout",
        "clear",
        "language",
        "visual",
        "pictures",
        "useful",
        "recommend",
    )
]

PAGES: list[tuple[int, dict]] = [
    (1, {"eligibility": "breastfeeding"}),
    (2, {"consent": "yes"}),
    (3, {"age_group": "30_34", "home_language": "fr", "parity": "1", "pregnant": "no"}),
    (
        4,
        {
            "feeding_status": "mixed",
            "exclusive_duration": "3_5m",
            "heard_of_hand_expression": "yes",
            "ever_hand_expressed": "no",
            "confidence_before": "2",
            "info_formats": ["online", "video", "other"],
            "info_formats_other": "Podcasts",
        },
    ),
    (5, {}),
    (6, dict.fromkeys(RATING_ITEMS, "4")),
    (7, SUS_85),
    (8, {"tried_with_toolkit": "yes", "pain_during": "2", "confidence_after": "4"}),
    (9, {"comment_liked": "The clock pictures.", "comment_change": "", "comment_missing": ""}),
]


TOOLKIT_POSITION = 5  # the page with the toolkit's sections


def answer_page(browser, position: int, data: dict | None = None, button: str = "next"):
    """Post one page. Next on the toolkit page with no section opened meets one reminder
    (tests/test_participant_rough_edges.py); this presses Next again past it."""
    answers = dict(PAGES[position - 1][1] if data is None else data)
    answers[button] = "x"
    response = browser.post(f"/survey/page/{position}", answers)
    reminded = response.status_code == 302 and response.headers["Location"].endswith(
        f"/survey/page/{TOOLKIT_POSITION}"
    )
    if position == TOOLKIT_POSITION and button == "next" and reminded:
        response = browser.post(f"/survey/page/{position}", answers)
    return response


def complete_survey(browser, overrides: dict[int, dict] | None = None, upto: int = len(PAGES)):
    """Walk the survey from the first page; returns the last response."""
    overrides = overrides or {}
    response = None
    for position, answers in PAGES[:upto]:
        response = answer_page(browser, position, {**answers, **overrides.get(position, {})})
        assert response.status_code == 302, (position, response.get_data(as_text=True)[:3000])
    return response
