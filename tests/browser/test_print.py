"""The toolkit's print view fits on one sheet of A4 and of US Letter, in English and French."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# A page object ("/Type /Page"), not the page tree ("/Type /Pages").
PAGE_OBJECT = re.compile(rb"/Type\s*/Page(?![A-Za-z])")


def pdf_pages(pdf: bytes) -> int:
    assert pdf.startswith(b"%PDF-")
    return len(PAGE_OBJECT.findall(pdf))


def print_fonts(page: Page) -> list[str]:
    """The fonts the printed text is set in (the layout is measured for Arial's metrics:
    Liberation Sans on Debian, package fonts-liberation)."""
    page.emulate_media(media="print")
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": ".toolkit-print p"})
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node["nodeId"]})["fonts"]
    cdp.detach()
    page.emulate_media(media="screen")
    return [font["familyName"] for font in fonts]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_printed_toolkit_is_one_page(desktop: Page, language: str):
    desktop.goto(f"/toolkit/print?lang={language}")
    assert desktop.locator("html").get_attribute("lang") == language
    for paper in ("A4", "Letter"):
        pages = pdf_pages(desktop.pdf(format=paper, print_background=True))
        assert pages == 1, f"{paper}, {language}: {pages} pages, in {print_fonts(desktop)}"


def test_page_counting_sees_several_pages(desktop: Page):
    """The counter itself: the whole toolkit, not the print view, takes several pages."""
    desktop.goto("/toolkit/")
    assert pdf_pages(desktop.pdf(format="A4")) > 1
