"""Reading the survey sheet: each begin_group/end_group is a page, each other row a question.

ODK nests groups; a page does not, so nested groups are flattened: the questions directly in
a group make its page, and a group's questions after a nested one make a page of their own.
Conditions are in `conditions`; what each question row holds is in `questions`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from exports.xlsform.conditions import Condition, Conditions
from exports.xlsform.questions import QuestionReader
from exports.xlsform.sheets import Row, Sheet
from exports.xlsform.values import bilingual, unique_name
from survey.messages import N_, Message

_PAGE_KINDS = ("eligibility", "consent", "questions", "toolkit")
# Recorded by ODK/KoboToolbox on the device, never asked, so never imported. The response's
# own start and submission times are recorded here anyway; the rest has no meaning on the web.
_OWN_TIMES = frozenset({"start", "end", "today"})
METADATA_TYPES = _OWN_TIMES | frozenset({
    "deviceid", "imei", "uri:deviceid", "username", "uri:username", "phonenumber",
    "simserial", "subscriberid", "email", "uri:email", "audit", "start-geopoint",
    "background-audio", "background-geopoint",
})  # fmt: skip
# KoboToolbox adds to every form it deploys a calculate row holding the deployment's version
# as a quoted text: no number to store, and each response here records its questionnaire
# version anyway.
KOBO_VERSION = "__version__"
_GROUP_FIELDS = {
    "type", "name", "label::en", "label::fr", "hint::en", "hint::fr", "appearance", "kind",
    "screen_out_if", "relevant",
}  # fmt: skip
_SPELLED_OUT = [
    (r"^(begin|end)[ _-]?(group|repeat)\b", r"\1_\2"),
    (r"^(begin|end)[ _]loop\b(?: over)?", r"\1_repeat"),  # a repeat over a list's choices
    (r" or specify other$", " or_other"),
    (r"^select[ _](one|multiple)(?: from)?(?=\s|$)", r"select_\1"),
    (r"^select all that apply(?: from)?(?=\s|$)", "select_multiple"),
]


def xls_type(text: str) -> str:
    """Lower-case, single-spaced, with pyxform's spelled-out forms ("begin group", "select one
    from X", "select all that apply X", "or specify other") written the short way."""
    text = " ".join(text.lower().split())
    for pattern, short in _SPELLED_OUT:
        text = re.sub(pattern, short, text)
    return text


@dataclass
class _Group:
    row: Row
    name: str
    title: dict[str, str]
    kind: str
    condition: Condition | None
    pages: list[dict[str, Any]] = field(default_factory=list)
    made: int = 0  # pages made for it, dropped ones included
    rows_inside: int = 0  # rows read while it is the innermost group


class SurveyReader:
    """Reads the survey rows into pages (begin_group ... end_group) with their questions."""

    def __init__(self, sheet: Sheet, lists: dict[str, list]) -> None:
        self.sheet = sheet
        self.pages: list[dict[str, Any]] = []
        self.page: dict[str, Any] | None = None  # the page questions are added to
        self.groups: list[_Group] = []  # the open groups, outermost first
        self.repeat: list[Row] = []  # the open repeats (their rows are not read)
        self.auto_pages: list[tuple[dict[str, Any], Row]] = []  # made for ungrouped questions
        self.page_rows: dict[str, int] = {}
        self.conditions = Conditions(sheet)
        self.questions = QuestionReader(sheet, lists)

    @property
    def asked(self) -> list[str]:
        return self.questions.asked

    def read(self) -> list[dict[str, Any]]:
        for row in self.sheet.rows:
            self.read_row(row)
        for repeat in self.repeat:
            message = Message(N_("this repeat is never closed with an end_repeat"))
            self.sheet.error(repeat, "type", message)
        for group in reversed(self.groups):
            if not self.repeat:  # an open repeat took the end_group rows: one error says it
                message = Message(N_("this group is never closed with an end_group"))
                self.sheet.error(group.row, "type", message)
            self.close_group()
        self.name_auto_pages()
        self.conditions.check(self.asked, self.questions.unavailable, self.questions.renamed)
        self.take_out_dropped()
        if not self.pages and not self.sheet.findings.errors:
            self.sheet.error(None, None, Message(N_("there are no questions")))
        return self.pages

    def take_out_dropped(self) -> None:
        """Calculations dropped with their expression; a page they leave empty goes too."""
        for page in list(self.pages):
            kept = [q for q in page["questions"] if not q.get("dropped")]
            if len(kept) == len(page["questions"]):
                continue
            page["questions"] = kept
            if not kept and not page.keys() & {"intro", "screen_out_if"}:
                self.pages.remove(page)

    def read_row(self, row: Row) -> None:
        xls = xls_type(row["type"])
        base = xls.split(" ")[0]
        if self.groups and base != "end_group":
            self.groups[-1].rows_inside += 1
        if self.repeat:
            self.in_repeat(row, base)
        elif not base:
            self.sheet.error(row, "type", Message(N_("the type is missing")))
        elif base in METADATA_TYPES:
            self.metadata(row, base)
        elif base == "calculate" and row["name"] == KOBO_VERSION:
            self.kobo_version(row)
        elif base == "begin_group":
            self.begin_group(row)
        elif base == "end_group":
            self.end_group(row)
        elif base == "begin_repeat":
            message = Message(N_("repeats are not supported: ask each question once"))
            self.sheet.unsupported(row, "type", message)
            self.repeat.append(row)
        elif base == "end_repeat":
            message = Message(N_("this end_repeat has no begin_repeat before it"))
            self.sheet.error(row, "type", message)
        else:
            path = [g.name for g in self.groups]
            question = self.questions.read(row, xls, path, self.conditions)
            if question is not None:
                if own := self.questions.condition(row):
                    self.conditions.show_if(question, [self.conditions.add(own)])
                self.current_page(row)["questions"].append(question)
            if self.questions.other_follows is not None and question is not None:
                other, shown = self.questions.other_question(row, question)
                self.conditions.show_if(other, [self.conditions.add(shown)])
                self.current_page(row)["questions"].append(other)
            self.questions.other_follows = None

    def in_repeat(self, row: Row, base: str) -> None:
        """A repeat's rows are not read: the repeat is refused or dropped as a whole."""
        if base == "begin_repeat":
            self.repeat.append(row)
        elif base == "end_repeat":
            self.repeat.pop()
        elif base not in ("begin_group", "end_group", "") and row["name"]:
            self.questions.unavailable.add(row["name"])
            if self.sheet.findings.skip_unsupported:
                message = Message(N_("%(name)s is in a repeat: dropped"), name=row["name"])
                self.sheet.notice(row, "name", message)

    def metadata(self, row: Row, base: str) -> None:
        if base in _OWN_TIMES:
            message = Message(
                N_(
                    "%(type)s is metadata ODK/KoboToolbox records by itself; here each "
                    "response records when it was started and submitted: skipped"
                ),
                type=base,
            )
        else:
            message = Message(
                N_("%(type)s is device metadata, which a web survey does not have: skipped"),
                type=base,
            )
        self.sheet.notice(row, "type", message)
        if row["name"]:
            self.questions.unavailable.add(row["name"])

    def kobo_version(self, row: Row) -> None:
        message = Message(
            N_(
                "%(name)s is the version KoboToolbox gives a form; here each response records "
                "its questionnaire version: skipped"
            ),
            name=KOBO_VERSION,
        )
        self.sheet.notice(row, "name", message)
        self.questions.unavailable.add(KOBO_VERSION)

    # --- pages -----------------------------------------------------------------------------
    def begin_group(self, row: Row) -> None:
        self.questions.check_fields(row, _GROUP_FIELDS, "begin_group")
        if row["appearance"] not in ("", "field-list"):
            message = Message(N_("a group is always shown as one page: ignored"))
            self.sheet.notice(row, "appearance", message)
        kind = row["kind"] or "questions"
        if kind not in _PAGE_KINDS:
            message = Message(
                N_("%(kind)r is not one of %(kinds)s"), kind=kind, kinds=", ".join(_PAGE_KINDS)
            )
            self.sheet.error(row, "kind", message)
        condition = None
        if row["relevant"]:
            condition = self.conditions.add(Condition(row, "relevant", len(self.asked)))
        if self.groups:
            message = Message(N_("a group inside a group: its questions make a page of their own"))
            self.sheet.notice(row, "type", message)
            if self.page is not None and not self.page["questions"] and "intro" not in self.page:
                self.drop_page(self.page)
        name = self.questions.odk_name(row)
        group = _Group(row, name, self.group_title(row), kind, condition)
        self.groups.append(group)
        self.page = None
        page = self.new_page(group)
        if intro := bilingual(self.sheet, row, "hint"):
            page["intro"] = intro
        if row["screen_out_if"]:
            page["screen_out_if"] = row["screen_out_if"]

    def group_title(self, row: Row) -> dict[str, str]:
        title = bilingual(self.sheet, row, "label", limit=200)
        if "en" not in title:
            outer = self.groups[-1].title if self.groups else {}
            title = dict(outer) or {"en": row["name"] or "Page"}
            message = Message(
                N_("the group has no English label: the page is titled %(title)s"),
                title=title["en"],
            )
            self.sheet.notice(row, "label::en", message)
        return title

    def new_page(self, group: _Group) -> dict[str, Any]:
        # Flattening may give one group several pages, and nested groups may share names.
        renamable = len(self.groups) > 1 or group.made > 0
        group.made += 1
        page: dict[str, Any] = {
            "name": self.page_name(group.row, renamable),
            "kind": group.kind,
            "title": group.title,
            "questions": [],
        }
        group.pages.append(page)
        self.pages.append(page)
        self.page = page
        # The page's show-if: its group's relevant and those of the groups around it.
        self.conditions.show_if(page, [g.condition for g in self.groups if g.condition])
        return page

    def page_name(self, row: Row, renamable: bool) -> str:
        name = row["name"]
        if not (renamable and name in self.page_rows):
            return unique_name(self.sheet, row, self.page_rows, "page")
        number = 2
        while f"{name[:58]}_{number}" in self.page_rows:
            number += 1
        self.page_rows[f"{name[:58]}_{number}"] = row.number
        return f"{name[:58]}_{number}"

    def drop_page(self, page: dict[str, Any]) -> None:
        self.pages.remove(page)
        self.page_rows.pop(page["name"], None)  # free for a page made later
        for group in self.groups:
            if page in group.pages:
                group.pages.remove(page)
        self.page = None

    def end_group(self, row: Row) -> None:
        self.questions.check_fields(row, {"type", "name"}, "end_group")
        if not self.groups:
            message = Message(N_("this end_group has no begin_group before it"))
            self.sheet.error(row, "type", message)
        else:
            self.close_group()

    def close_group(self) -> None:
        """The screen-out condition is read after the page, so its questions may decide it."""
        group = self.groups.pop()
        if group.row["screen_out_if"]:
            self.conditions.add(Condition(group.row, "screen_out_if", len(self.asked)))
        # A page left empty by what was not imported (a repeat, metadata) is not shown.
        page = self.page
        kept = page is None or page["questions"] or page.keys() & {"intro", "screen_out_if"}
        if group.rows_inside and page is not None and not kept:
            self.drop_page(page)
        self.page = None

    def current_page(self, row: Row) -> dict[str, Any]:
        if self.page is None and self.groups:
            return self.new_page(self.groups[-1])
        if self.page is None:
            self.page = {"name": "", "kind": "questions", "title": {}, "questions": []}
            self.pages.append(self.page)
            self.auto_pages.append((self.page, row))
        return self.page

    def name_auto_pages(self) -> None:
        used = set(self.page_rows)
        for page, row in self.auto_pages:
            number = self.pages.index(page) + 1
            while f"page_{number}" in used:
                number += 1
            page["name"] = f"page_{number}"
            page["title"] = {"en": f"Page {number}", "fr": f"Page {number}"}
            used.add(page["name"])
            message = Message(
                N_(
                    "this question and the ones after it up to the next group are in no "
                    "group: they make a page named %(page)s"
                ),
                page=page["name"],
            )
            self.sheet.notice(row, None, message)
