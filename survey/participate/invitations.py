"""Invitation-only studies: single-use codes, stored as keyed hashes like resume codes."""

from __future__ import annotations

from sqlalchemy import func, select

from survey import codes
from survey.models import DbSession, Invitation, Questionnaire, Response, User, utcnow

MAX_BATCH = 5000


def new_invitation_code() -> str:
    return codes.new_code(5, 5, 5)


def invitation_digest(code: str, secret: str) -> str:
    return codes.keyed_digest("invitation-code", codes.characters(code), secret)


def create_invitations(
    session: DbSession,
    questionnaire: Questionnaire,
    count: int,
    secret: str,
    by: User | None = None,
) -> list[str]:
    """Make `count` new codes and return them: this is the only time they exist in clear."""
    if not 1 <= count <= MAX_BATCH:
        raise ValueError(f"choose between 1 and {MAX_BATCH} codes")
    codes = [new_invitation_code() for _ in range(count)]
    session.add_all(
        Invitation(
            questionnaire_id=questionnaire.id,
            code_hash=invitation_digest(c, secret),
            created_by_id=by.id if by else None,
        )
        for c in codes
    )
    session.flush()
    return codes


def find_invitation(
    session: DbSession, questionnaire: Questionnaire, code: str, secret: str
) -> Invitation | None:
    return session.scalar(
        select(Invitation).where(
            Invitation.questionnaire_id == questionnaire.id,
            Invitation.code_hash == invitation_digest(code, secret),
        )
    )


def claim_invitation(session: DbSession, invitation_id: int | None) -> Invitation | None:
    """The invitation, if it is still unused (locked until this transaction ends)."""
    if invitation_id is None:
        return None
    invitation = session.scalar(
        select(Invitation).where(Invitation.id == invitation_id).with_for_update()
    )
    return invitation if invitation is not None and invitation.response_id is None else None


def use_invitation(invitation: Invitation, response: Response) -> None:
    invitation.response_id = response.id
    invitation.used_at = utcnow()


def invitation_counts(session: DbSession, questionnaire: Questionnaire) -> tuple[int, int]:
    """(codes made, codes used)."""
    made, used = session.execute(
        select(func.count(), func.count(Invitation.response_id)).where(
            Invitation.questionnaire_id == questionnaire.id
        )
    ).one()
    return made, used
