"""The dashboard names every question by its words, in the page's language (issue 14, part 3).
The expected words come from the questionnaire rows in the database, not from the dashboard."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.test_exports import known  # noqa: F401 - the `known` fixture


def texts(page: str, pattern: str) -> list[str]:
    """The text of every match of `pattern` (one group), tags stripped and entities decoded."""
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", m)).strip()
        for m in re.findall(pattern, page, re.S)
    ]


def row_label(page: str, key: str) -> str:
    """The label beside one chart row (`data-chart-row`)."""
    found = texts(
        page, rf'data-chart-row="{re.escape(key)}">\s*<span class="chart-label[^"]*">(.*?)</span>'
    )
    assert len(found) == 1, (key, found)
    return found[0]


def headings(page: str) -> list[str]:
    return texts(page, r'<h2 id="item-\d+">(.*?)</h2>')


def question(version, name: str):
    return next(q for q in version.questions if q.name == name)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_charts_and_tables_name_the_question_in_the_pages_language(
    investigator,
    version,
    known,  # noqa: F811
    language: str,
):
    page = investigator.get(f"/staff/dashboard?lang={language}").get_data(as_text=True)

    def words(row) -> str:
        return getattr(row, f"label_{language}")

    # Each statement of an agreement chart is its own words, not its variable name.
    for name in ("rating_layout", "sus_04", "rating_informative"):
        assert row_label(page, name) == words(question(version, name))
    # Choice bars are labelled with the choice's words, in questionnaire order.
    parity = question(version, "parity")
    assert [row_label(page, f"parity:{c.code}") for c in parity.choices] == [
        words(c) for c in parity.choices
    ]
    # The legend of the agreement chart: the scale's words, in order.
    agree = question(version, "rating_layout").choices
    legend_items = [
        texts(block, r"<li>(.*?)</li>")
        for block in re.findall(r'<ul class="legend"[^>]*>(.*?)</ul>', page, re.S)
    ]
    assert [words(c) for c in agree] in legend_items
    # Headings: the question's words (then its variable in small print), the SUS score's label,
    # and a page's title over the block of statements asked on it.
    titles = headings(page)
    sus = version.scores[0]
    assert f"{words(sus)} sus_score" in titles
    assert "sus_score sus_score" not in titles
    assert f"{words(question(version, 'pain_during'))} pain_during" in titles
    for name in ("rating_layout", "sus_04"):
        assert getattr(question(version, name).page, f"title_{language}") in titles
    # No chart label or table row is a bare variable name.
    labels = texts(page, r'<span class="chart-label[^"]*">(.*?)</span>')
    variables = {q.name for q in version.questions}
    assert labels and not variables & set(labels)


def test_french_dashboard_has_no_english_question_or_answer_words(investigator, version, known):  # noqa: F811
    page = investigator.get("/staff/dashboard?lang=fr").get_data(as_text=True)
    labels = set(texts(page, r'<span class="chart-label[^"]*">(.*?)</span>'))
    english_only = {
        q.label_en for q in version.questions if q.label_fr and q.label_fr != q.label_en
    } | {
        c.label_en
        for q in version.questions
        for c in q.choices
        if c.label_fr and c.label_fr != c.label_en
    }
    assert labels and not labels & english_only
    assert "Tout à fait d’accord" in page and "Strongly agree" not in page
