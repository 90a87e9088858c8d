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

    @property
    def already_earned(self) -> bool:
        """Refused only because the student holds the badge already (a duplicate, not an error)."""
        return not self.issued and self.reason.startswith(Refusal.ALREADY_EARNED)


@dataclass(frozen=True)
class RefusedChoice:
    """A badge or a student of Issue Badges refused whatever it is paired with (an unknown id,
    another organization's badge, a student not on the roster): reported once, not per pair."""

    kind: str  # "badge" or "student"
    pk: int
    reason: str
    badge: Badge | None = field(default=None, compare=False)
    student: User | None = field(default=None, compare=False)


@dataclass(frozen=True)
class BatchOutcome:
    """What Issue Badges did: an outcome for each pair of a valid badge and a valid student, and
    each badge or student refused as a whole."""

    pairs: list[IssueOutcome]
    refused: list[RefusedChoice]
    valid_badge_ids: list[int] = field(default_factory=list)
    chosen_student_ids: list[int] = field(default_factory=list)
    badges: dict[int, Badge] = field(default_factory=dict, compare=False)


def already_earned_reason(issued_at: datetime | None) -> str:
    if issued_at is None:
        return Refusal.ALREADY_EARNED
    return f"{Refusal.ALREADY_EARNED} on {date_format(timezone.localtime(issued_at), 'j F Y')}"


def revoked_reason(revoked_at: datetime, reason: str) -> str:
    """Why a revoked pair is not issued again by hand: "revoked on 3 March 2026: <reason>"."""
    when = date_format(timezone.localtime(revoked_at), "j F Y")
    return f"revoked on {when}: {reason}" if reason else f"revoked on {when}"


def expired_on_date_reason(expires_on) -> str:
    return f"badge expired on {date_format(expires_on, 'j F Y')}, its fixed expiry date"


# Past this many failed rows, the Issue Badges result page groups them by reason.
FAILURES_LISTED_MAX = 50
GROUP_EXAMPLES = 3


def batch_results(batch: BatchOutcome, *, organization_id: int, visible_students: dict) -> dict:
    """The outcome as the result page shows it: each student with the badges issued to them,
    then each failure with its reason: a refused badge or student once, a refused pair (already
    earned) once. Past `FAILURES_LISTED_MAX` failures, `failed_groups` has them by reason, with a
    count and a few examples, so the page grows with what in the request was valid."""
    issued: dict[int, dict] = {}
    failed = []
    for choice in batch.refused:
        if choice.kind == "badge":
            badge = _badge_name(choice.pk, choice.badge, organization_id=organization_id)
            student = _all_or_one(
                batch.chosen_student_ids, "students", lambda pk: _student_name(pk, visible_students)
            )
        else:
            badge = _all_or_one(
                batch.valid_badge_ids,
                "badges",
                lambda pk: _badge_name(pk, batch.badges.get(pk), organization_id=organization_id),
            )
            student = _student_name(choice.pk, visible_students)
        failed.append({"badge": badge, "student": student, "reason": choice.reason})
    for outcome in batch.pairs:
        if outcome.issued:
            entry = issued.setdefault(
                outcome.student_id, {"student": outcome.student, "badges": []}
            )
            entry["badges"].append(outcome.badge.name)
        else:
            failed.append(
                {
                    "badge": _badge_label(outcome, organization_id=organization_id),
                    "student": _student_name(outcome.student_id, visible_students),
                    "reason": outcome.reason,
                }
            )
    groups = _grouped(failed) if len(failed) > FAILURES_LISTED_MAX else []
    return {"issued": list(issued.values()), "failed": failed, "failed_groups": groups}


def _grouped(failed: list[dict]) -> list[dict]:
    groups: dict[str, dict] = {}
    for failure in failed:
        reason = failure["reason"]
        if reason.startswith(Refusal.ALREADY_EARNED):
            reason = Refusal.ALREADY_EARNED
        group = groups.setdefault(reason, {"reason": reason, "count": 0, "examples": []})
        group["count"] += 1
        if len(group["examples"]) < GROUP_EXAMPLES:
            group["examples"].append(f"{failure['badge']} to {failure['student']}")
    for group in groups.values():
        group["more"] = group["count"] - len(group["examples"])
    return sorted(groups.values(), key=lambda group: -group["count"])


def _all_or_one(pks: list[int], noun: str, name_of) -> str:
    """A refused badge is refused for every student chosen (and a student for every valid badge):
    the one by name, or how many."""
    if len(pks) == 1:
        return name_of(pks[0])
    return f"any of the {len(pks):,} {noun}"


def _badge_name(pk: int, badge: Badge | None, *, organization_id: int) -> str:
    if badge is not None and badge.organization_id == organization_id:
        return badge.name
    return f"Badge #{pk}"


def _student_name(pk: int, visible_students: dict) -> str:
    student = visible_students.get(pk)
    return student.display_name if student is not None else f"Student #{pk}"


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

    ALREADY_EARNED = "already earned"
    NO_BADGE = "badge does not exist"
    NO_STUDENT = "student does not exist"
    NOT_A_STUDENT = "recipient is not a student (only students receive badges)"
    OTHER_ORGANIZATION = "badge belongs to another organization"
    ARCHIVED = "badge is archived"
    NOT_MANUAL = "badge is not enabled for manual issuance"
    NOT_ASSIGNMENT_STUDENT = "student is not the student of this course assignment"
    NOT_IN_ORGANIZATION = "student is not a student of this organization"
    NOT_ON_ROSTER = "student is not enrolled in this class or not visible to you"
