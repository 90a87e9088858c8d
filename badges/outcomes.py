"""The wording of issuing outcomes, as the pages show them. A refused badge or student outside
what the user may see is named only by its id, so a forged request learns nothing about it."""

from .services import IssueOutcome


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
