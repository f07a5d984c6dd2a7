"""Translations: every message the code and templates use is in the catalogues and translated into
French, the compiled .mo matches the .po, the questionnaire is bilingual, and French pages say so.

English is the source language: its text is the msgid itself, so "missing in English" means
missing from the committed template (messages.pot)."""

from __future__ import annotations

import gettext
import io
import json
import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from tests.survey_steps import complete_survey

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "survey" / "translations"
TEMPLATE = CATALOGUES / "messages.pot"
FRENCH_PO = CATALOGUES / "fr" / "LC_MESSAGES" / "messages.po"
FRENCH_MO = CATALOGUES / "fr" / "LC_MESSAGES" / "messages.mo"
QUESTIONNAIRE = ROOT / "survey" / "questionnaire" / "default_questionnaire.json"
REFRESH_SCRIPT = ROOT / "scripts" / "translations"

# The same keywords as scripts/translations (test_script_uses_the_same_keywords checks that).
KEYWORDS = ("_l", "lazy_gettext", "N_")
# French punctuation that takes a no-break space before it (and « after it).
SPACE_BEFORE = re.compile(r" [:;?!»]|« ")


def _read_po(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set:
    return {message.id for message in catalog if message.id}


def _key(message_id) -> str:
    return message_id[0] if isinstance(message_id, tuple) else message_id


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> Catalog:
    """A template extracted afresh from the code and templates, as scripts/translations does."""
    output = tmp_path_factory.mktemp("i18n") / "messages.pot"
    argv = ["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg")]
    for keyword in KEYWORDS:
        argv += ["-k", keyword]
    argv += ["--ignore-dirs=.* ._ node_modules", "-o", str(output), str(ROOT)]
    CommandLineInterface().run(argv)
    return _read_po(output)


@pytest.fixture(scope="module")
def french() -> Catalog:
    return _read_po(FRENCH_PO)


def test_script_uses_the_same_keywords():
    assert tuple(re.findall(r"-k (\S+)", REFRESH_SCRIPT.read_text())) == KEYWORDS


def test_extraction_finds_strings_from_python_templates_and_markers(extracted):
    ids = _ids(extracted)
    assert "Next" in ids  # forms, lazy_gettext
    assert "Skip to content" in ids  # templates, _()
    assert "Massage gently" in ids  # templates, {% trans %}
    assert "The clock method, step by step" in ids  # toolkit section title, N_()
    assert any(_key(i).startswith("This page had been open a long time") for i in ids)  # N_()


def test_every_message_is_in_the_committed_template(extracted):
    missing = sorted(map(_key, _ids(extracted) - _ids(_read_po(TEMPLATE))))
    assert not missing, f"run scripts/translations; not in messages.pot: {missing}"


def test_every_message_has_a_french_translation(extracted, french):
    by_id = {message.id: message for message in french if message.id}
    problems = []
    for message in extracted:
        if not message.id:
            continue
        translated = by_id.get(message.id)
        strings = () if translated is None else translated.string
        strings = strings if isinstance(strings, tuple) else (strings,)
        if translated is None:
            problems.append(("missing", _key(message.id)))
        elif translated.fuzzy:
            problems.append(("fuzzy", _key(message.id)))
        elif not all(s and s.strip() for s in strings):
            problems.append(("empty", _key(message.id)))
    assert not problems, f"translate these in {FRENCH_PO.relative_to(ROOT)}: {problems}"


def test_french_translations_keep_placeholders(french):
    errors = [(message.id, [str(e) for e in errs]) for message, errs in french.check()]
    assert not errors


def test_french_typography_uses_no_break_spaces(french):
    for message in french:
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert not SPACE_BEFORE.search(text or ""), (message.id, text)


def test_compiled_catalogue_matches_the_po(french):
    compiled = io.BytesIO()
    write_mo(compiled, french)
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)
    with FRENCH_MO.open("rb") as handle:
        committed = gettext.GNUTranslations(handle)
    # The messages, not the header (msgid ""), which names the Babel version that compiled it.
    stale = {
        key
        for key in (expected._catalog.keys() | committed._catalog.keys()) - {""}
        if expected._catalog.get(key) != committed._catalog.get(key)
    }
    assert len(expected._catalog) > 100
    assert not stale, f"run scripts/translations compile; out of date: {sorted(map(str, stale))}"


def _bilingual_texts(node, path="$"):
    if isinstance(node, dict):
        if "en" in node:
            yield path, node
        for key, value in node.items():
            yield from _bilingual_texts(value, f"{path}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _bilingual_texts(value, f"{path}[{index}]")


def test_every_questionnaire_text_has_french():
    texts = list(_bilingual_texts(json.loads(QUESTIONNAIRE.read_text(encoding="utf-8"))))
    assert texts
    untranslated = [path for path, text in texts if not (text.get("fr") or "").strip()]
    assert not untranslated
    badly_spaced = [path for path, text in texts if SPACE_BEFORE.search(text["fr"])]
    assert not badly_spaced


def test_survey_start_page_in_french(browser):
    response = browser.get("/survey/?lang=fr")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<html lang="fr">' in html
    assert "Sondage sur la trousse d’expression manuelle du lait" in html  # questionnaire title
    assert "Commencer le sondage" in html
    assert "Start the survey" not in html


def test_language_can_be_switched_back_to_english(browser):
    browser.get("/survey/?lang=fr")
    html = browser.get("/survey/?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Start the survey" in html


def test_toolkit_in_french(browser):
    html = browser.get("/toolkit/?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Exprimer son lait à la main" in html
    assert "La méthode de l’horloge, étape par étape" in html  # section title, marked with N_
    assert "Pouce à 12\u00a0h, index à 6\u00a0h" in html  # diagram caption
    assert "2,5 à 5\u00a0cm" in html
    assert "Massage gently" not in html


def test_survey_pages_keep_the_chosen_language(browser):
    browser.get("/survey/?lang=fr")
    response = complete_survey(browser, upto=2)  # eligibility and consent, in French
    html = browser.get(response.headers["Location"]).get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Partie 1\u00a0: À propos de vous" in html
    assert "Quel âge avez-vous\u202f?" in html
    assert "Je préfère ne pas répondre" in html  # a choice label
    assert "(obligatoire)" in html
    assert 'value="Suivant"' in html
    assert "How old are you?" not in html
