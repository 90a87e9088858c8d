"""What happened to each (badge, student) pair, and its wording as the pages show it. A refused
badge or student outside what the user may see is named only by its id, so a forged request learns
nothing about it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.formats import date_format

from accounts.models import User
from badges.models import Badge


@dataclass(frozen=True)
class IssueOutcome:
    badge_id: int
    student_id: int
    issued: bool
    reason: str = ""
    # Issued again in place of an expired issuance of the same pair.
    renewed: bool = False
    badge: Badge | None = field(default=None, compare=False)
    student: User | None = field(default=None, compare=False)


def already_earned_reason(issued_at: datetime | None) -> str:
    if issued_at is None:
        return "already earned"
    return f"already earned on {date_format(timezone.localtime(issued_at), 'j F Y')}"


def revoked_reason(revoked_at: datetime, reason: str) -> str:
    """Why a revoked pair is not issued again by hand: "revoked on 3 March 2026: <reason>"."""
    when = date_format(timezone.localtime(revoked_at), "j F Y")
    return f"revoked on {when}: {reason}" if reason else f"revoked on {when}"


def expired_on_date_reason(expires_on) -> str:
    return f"badge expired on {date_format(expires_on, 'j F Y')}, its fixed expiry date"


def batch_results(
    outcomes: list[IssueOutcome], *, organization_id: int, visible_student_ids: set[int]
) -> dict:
    """The outcomes as the result page shows them: each student with the badges issued to them,
    then each failed pair with its reason."""
    issued: dict[int, dict] = {}
    failed = []
    for outcome in outcomes:
        if outcome.issued:
            entry = issued.setdefault(
                outcome.student_id, {"student": outcome.student, "badges": []}
            )
            entry["badges"].append(outcome.badge.name)
        else:
            failed.append(
                {
                    "badge": _badge_label(outcome, organization_id=organization_id),
                    "student": _student_label(outcome, visible_student_ids=visible_student_ids),
                    "reason": outcome.reason,
                }
            )
    return {"issued": list(issued.values()), "failed": failed}


def _badge_label(outcome: IssueOutcome, *, organization_id: int) -> str:
    """A refused badge by name when it is this organization's; another organization's badge (or
    an unknown id) only by its id, so a forged request learns nothing about it."""
    if outcome.badge is not None and outcome.badge.organization_id == organization_id:
        return outcome.badge.name
    return f"Badge #{outcome.badge_id}"


def _student_label(outcome: IssueOutcome, *, visible_student_ids: set[int]) -> str:
    if outcome.student is not None and outcome.student_id in visible_student_ids:
        return outcome.student.display_name
    return f"Student #{outcome.student_id}"


def refusal_message(
    outcome: IssueOutcome, *, organization_id: int, visible_student_ids: set[int]
) -> str:
    badge = _badge_label(outcome, organization_id=organization_id)
    student = _student_label(outcome, visible_student_ids=visible_student_ids)
    return f"{badge} was not issued to {student}: {outcome.reason}."


class Refusal:
    """Why a pair was not issued, as read after "… was not issued to …:"."""

    NO_BADGE = "badge does not exist"
    NO_STUDENT = "student does not exist"
    OTHER_ORGANIZATION = "badge belongs to another organization"
    ARCHIVED = "badge is archived"
    NOT_MANUAL = "badge is not enabled for manual issuance"
    NOT_ASSIGNMENT_STUDENT = "student is not the student of this course assignment"
    NOT_ON_ROSTER = "student is not enrolled in this class or not visible to you"
