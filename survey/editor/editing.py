"""Changes to a draft's pages, questions, choice lists, choices and scores, as ORM edits.

Nothing here checks the draft as a whole or commits: the caller runs
`survey.questionnaire.rules.check_draft` afterwards and rolls back when it is refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import count
from typing import Any, Literal, TypeVar

from survey.models import (
    CHOICE_TYPES,
    Choice,
    ChoiceList,
    DbSession,
    Page,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Score,
    VersionStatus,
)

Direction = Literal["up", "down"]
Item = TypeVar("Item", Page, Question, ChoiceList, Choice, Score)
LARGEST_ID = 2**31 - 1  # an id past the database's integer range is simply not found


def _version_id(item: Page | Question | ChoiceList | Choice | Score) -> int:
    if isinstance(item, Question):
        return item.page.version_id
    if isinstance(item, Choice):
        return item.choice_list.version_id
    return item.version_id


def find(
    session: DbSession, model: type[Item], item_id: int, draft: QuestionnaireVersion
) -> Item | None:
    """The item with this id if it belongs to the draft (never one of a published version)."""
    if not 0 < item_id <= LARGEST_ID:
        return None
    item = session.get(model, item_id)
    return item if item is not None and _version_id(item) == draft.id else None


def published_names(questionnaire: Questionnaire) -> set[str]:
    """Variable names any published or retired version asked: these names are fixed."""
    earlier = [v for v in questionnaire.versions if v.status != VersionStatus.DRAFT]
    return {q.name for version in earlier for q in version.questions}


def arrange(session: DbSession, *groups: tuple[object, str, Sequence[Any]]) -> None:
    """Give each parent's collection (`attribute`) exactly `items`, in that order, numbered from
    1. Positions are unique per parent, so every item first takes a distinct negative value and
    is written, then takes its final one: no statement ever collides (SQLite and PostgreSQL)."""
    with session.no_autoflush:
        for parent, attribute, items in groups:
            setattr(parent, attribute, list(items))
        temporary = count(-1, -1)
        for _parent, _attribute, items in groups:
            for item in items:
                item.position = next(temporary)
        session.flush()
        for _parent, _attribute, items in groups:
            for position, item in enumerate(items, start=1):
                item.position = position
        session.flush()


def can_move(items: Sequence[Any], item: Any, direction: Direction) -> bool:
    """Whether the item has a neighbour on that side."""
    index = items.index(item)
    return index > 0 if direction == "up" else index < len(items) - 1


def move(session: DbSession, parent: object, attribute: str, item: Any, direction: Direction):
    """Swap the item with its neighbour on that side (see `can_move`)."""
    items = list(getattr(parent, attribute))
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    items[index], items[other] = items[other], items[index]
    arrange(session, (parent, attribute, items))


def add_last(session: DbSession, parent: object, attribute: str, item: Item) -> Item:
    """Put a new item after the parent's others (`attribute`)."""
    arrange(session, (parent, attribute, [*getattr(parent, attribute), item]))
    return item


def take_out(session: DbSession, parent: object, attribute: str, item: object) -> None:
    """Remove the item from the parent's collection (`attribute`) and renumber the others."""
    arrange(session, (parent, attribute, [i for i in getattr(parent, attribute) if i is not item]))


def set_values(item: object, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(item, name, value)


def add_page(session: DbSession, draft: QuestionnaireVersion, values: dict[str, Any]) -> Page:
    return add_last(session, draft, "pages", Page(**values))


def remove_page(session: DbSession, draft: QuestionnaireVersion, page: Page) -> None:
    """Remove the page and its questions (their answers on earlier versions are kept there)."""
    take_out(session, draft, "pages", page)


def set_question(question: Question, values: dict[str, Any], choice_list: ChoiceList | None):
    set_values(question, values)
    question.choice_list = choice_list if question.type in CHOICE_TYPES else None


def add_question(
    session: DbSession, page: Page, values: dict[str, Any], choice_list: ChoiceList | None
) -> Question:
    question = Question(**values)
    set_question(question, {}, choice_list)
    return add_last(session, page, "questions", question)


def move_question_to(session: DbSession, question: Question, page: Page) -> bool:
    """Put the question last on another page; False when it is on that page already."""
    source = question.page
    if source is page:
        return False
    arrange(
        session,
        (source, "questions", [q for q in source.questions if q is not question]),
        (page, "questions", [*page.questions, question]),
    )
    return True


def remove_question(session: DbSession, question: Question) -> None:
    take_out(session, question.page, "questions", question)


def users_of(draft: QuestionnaireVersion, choice_list: ChoiceList) -> list[Question]:
    """The draft's questions that use the list."""
    return [q for q in draft.questions if q.choice_list is choice_list]


def add_choice_list(session: DbSession, draft: QuestionnaireVersion, name: str) -> ChoiceList:
    choice_list = ChoiceList(name=name)
    draft.choice_lists.append(choice_list)
    session.flush()
    return choice_list


def remove_choice_list(session: DbSession, draft: QuestionnaireVersion, choice_list: ChoiceList):
    """Remove a list no question uses (the caller checks `users_of` first)."""
    draft.choice_lists.remove(choice_list)
    session.flush()


def add_choice(session: DbSession, choice_list: ChoiceList, values: dict[str, Any]) -> Choice:
    return add_last(session, choice_list, "choices", Choice(**values))


def remove_choice(session: DbSession, choice: Choice) -> None:
    take_out(session, choice.choice_list, "choices", choice)


def add_score(session: DbSession, draft: QuestionnaireVersion, values: dict[str, Any]) -> Score:
    return add_last(session, draft, "scores", Score(**values))


def remove_score(session: DbSession, draft: QuestionnaireVersion, score: Score) -> None:
    take_out(session, draft, "scores", score)
