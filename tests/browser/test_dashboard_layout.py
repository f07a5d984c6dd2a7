"""The dashboard as Chromium lays it out, on a phone (360 px) and a desktop, in English and
French (issue 14, part 3): nothing runs off the page, no label is cut or covered, legend entries
do not overlap, and every figure's name is right-aligned over its number. Measured from the
boxes the browser computed (bounding boxes, scrollWidth), not judged from a picture.

With SAVE_SCREENSHOTS=1 it also saves the screenshots of docs/screenshots/dashboard-*.png."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import BrowserContext, Page

from survey.auth.services import create_user
from survey.demo import generate_responses
from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS
from tests.browser.flow import log_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Returns every layout problem on the page, each as a sentence.
MEASURE = """
() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  const box = (element) => element.getBoundingClientRect();
  const name = (element) => {
    const text = (element.textContent || "").trim().slice(0, 40);
    const kind = element.className.baseVal ?? element.className;
    return `${element.tagName.toLowerCase()}.${kind} "${text}"`;
  };
  const overlap = (a, b) => {
    const p = box(a), q = box(b);
    const x = Math.min(p.right, q.right) - Math.max(p.left, q.left);
    const y = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    return x > 0.5 && y > 0.5;
  };
  const textRight = (element) => {
    const range = document.createRange();
    range.selectNodeContents(element);
    return range.getBoundingClientRect().right;
  };

  if (document.documentElement.scrollWidth > width) {
    const wide = document.documentElement.scrollWidth;
    problems.push(`the page is ${wide} px wide in a ${width} px window`);
  }
  // Nothing reaches past either edge, except inside a table's own scrolling region.
  for (const element of document.querySelectorAll("main *")) {
    const r = box(element);
    if (r.width === 0 || r.height === 0) continue;
    if (element.parentElement.closest(".table-wrap")) continue;
    if (r.left < -0.5 || r.right > width + 0.5) {
      problems.push(`${name(element)} spans ${Math.round(r.left)} to ${Math.round(r.right)} px`);
    }
  }
  // Every label and value is shown whole, inside its chart.
  const LABELS = ".chart-label:not(.visually-hidden), .chart-value, .numbers dt, .numbers dd";
  for (const label of document.querySelectorAll(LABELS)) {
    if (label.scrollWidth > label.clientWidth + 1) problems.push(`${name(label)} is cut`);
    const figure = box(label.closest("figure, section"));
    const r = box(label);
    if (r.left < figure.left - 0.5 || r.right > figure.right + 0.5) {
      problems.push(`${name(label)} sticks out of its chart`);
    }
  }
  // A row's label, bar and value never cover one another.
  for (const row of document.querySelectorAll(".bar-row, .likert-row")) {
    const parts = [
      ...row.querySelectorAll(".chart-label:not(.visually-hidden), .track, .chart-value"),
    ];
    for (let i = 0; i < parts.length; i++) {
      for (let j = i + 1; j < parts.length; j++) {
        if (overlap(parts[i], parts[j])) {
          problems.push(`${name(parts[i])} covers ${name(parts[j])}`);
        }
      }
    }
  }
  // Legend entries and the histogram's scale points never overlap.
  for (const list of document.querySelectorAll(".legend, .histogram-axis")) {
    const items = [...list.children];
    for (let i = 0; i < items.length; i++) {
      for (let j = i + 1; j < items.length; j++) {
        if (overlap(items[i], items[j])) {
          problems.push(`${name(items[i])} overlaps ${name(items[j])}`);
        }
      }
    }
  }
  // Each figure's name is right-aligned over its number, as the numbers are.
  for (const figure of document.querySelectorAll(".numbers > div")) {
    const [term, number] = [figure.querySelector("dt"), figure.querySelector("dd")];
    if (Math.abs(textRight(term) - textRight(number)) > 1) {
      problems.push(`${name(term)} is not over its number ${name(number)}`);
    }
  }
  for (const table of document.querySelectorAll("table.figures")) {
    const heads = [...table.querySelectorAll("thead th")];
    for (const row of table.querySelectorAll("tbody tr")) {
      [...row.children].forEach((cell, i) => {
        if (cell.tagName === "TD" && Math.abs(textRight(cell) - textRight(heads[i])) > 1) {
          problems.push(`${name(heads[i])} is not over ${name(cell)}`);
        }
      });
    }
  }
  return problems;
}
"""

SECTIONS = {  # a screenshot of each: long choice labels, a block of statements, the SUS figures
    "choices": "parity",
    "agreement": "sus_04",
    "figures": "sus_score",
}


def logged_in_page(context: BrowserContext, language: str) -> Page:
    page = context.new_page()
    log_in(page, "investigator@example.org", language)
    return page


def save_sections(page: Page, size: str, language: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for section, variable in SECTIONS.items():
        holds = f'[data-chart-row^="{variable}"], [data-mean="{variable}"]'
        page.locator(f"section.dashboard-item:has({holds})").first.screenshot(
            path=str(SCREENSHOTS / f"dashboard-{size}-{language}-{section}.png")
        )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_dashboard_fits_phone_and_desktop_with_every_label_whole(
    new_context, db, version, language: str
):
    create_user(db.session, "investigator@example.org", PASSWORD, "investigator")
    generate_responses(db.session, version, 300, seed=1)  # the demo data of the screenshots
    db.session.commit()
    for size, options in (("phone", PHONE), ("desktop", DESKTOP)):
        page = logged_in_page(new_context(**options), language)
        page.goto("/staff/dashboard")
        assert page.locator("html").get_attribute("lang") == language
        if os.environ.get("SAVE_SCREENSHOTS") == "1":
            save_sections(page, size, language)
        problems = page.evaluate(MEASURE)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        problems += [f"(tables open) {p}" for p in page.evaluate(MEASURE)]
        assert not problems, f"{size}, {language}:\n" + "\n".join(problems[:20])


def test_the_measure_sees_overflow_and_cut_labels(new_context, db, version):
    """The measure itself: a figure pushed wide and a label that cannot wrap are reported."""
    create_user(db.session, "investigator@example.org", PASSWORD, "investigator")
    generate_responses(db.session, version, 20, seed=1)
    db.session.commit()
    page = logged_in_page(new_context(**PHONE), "en")
    page.goto("/staff/dashboard")
    assert page.evaluate(MEASURE) == []
    page.evaluate(
        """() => {
          document.querySelector(".numbers").style.width = "491px";
          const label = document.querySelector(".bar-row .chart-label");
          label.style.whiteSpace = "nowrap"; label.style.overflow = "hidden";
          label.textContent = "A label far too long to fit on one line of a phone's screen";
          document.querySelector(".numbers dt").style.textAlign = "left";
        }"""
    )
    problems = "\n".join(page.evaluate(MEASURE))
    assert "the page is" in problems
    assert "is cut" in problems
    assert "is not over its number" in problems
