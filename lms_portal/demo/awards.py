"""The demo's achievements (one of each criteria type), badges (manual, automatic, archived) and
a few badges issued by hand through the one issuing service."""

from achievements.models import Achievement
from badges.models import Badge
from badges.services.context import IssueContext
from badges.services.issuance import badge_issue_many

from .learning import DemoLearning
from .people import DemoPeople


def demo_awards(people: DemoPeople, learning: DemoLearning) -> None:
    northwind, contoso = people.northwind, people.contoso
    nw_instructor, co_instructor, contractor = (
        people.nw_instructor,
        people.co_instructor,
        people.contractor,
    )
    nw_students, co_students = people.nw_students, people.co_students
    tags, courses, labs, path = learning.tags, learning.courses, learning.labs, learning.path
    nw_cloud, nw_safety, co_leaders = learning.nw_cloud, learning.nw_safety, learning.co_leaders
    achievements = {
        "vm": _achievement(northwind, "Deployed a VM", "lab", points=10, lab=labs["LAB-VM"]),
        "cloud101": _achievement(
            northwind,
            "Cloud Foundations graduate",
            "course",
            points=20,
            course=courses["CLD-101"],
        ),
        "safety": _achievement(
            northwind,
            "Safety curriculum",
            "course_set",
            points=30,
            courses=[courses["SAF-101"], courses["SAF-201"]],
        ),
        "compliance": _achievement(
            northwind,
            "Compliance minded",
            "tagged_courses",
            points=25,
            tag=tags["compliance"],
            min_courses=2,
        ),
        "path": _achievement(
            northwind,
            "Cloud Practitioner certified",
            "learning_path",
            points=50,
            learning_path=path,
        ),
        "points": _achievement(
            northwind, "Northwind 40 points club", "points", points=0, points_threshold=40
        ),
        "leader": _achievement(
            contoso, "Team leader", "course", points=20, course=courses["LDR-101"]
        ),
        "net": _achievement(contoso, "Network builder", "lab", points=10, lab=labs["LAB-NET"]),
    }

    badge_specs = [
        (
            northwind,
            "Cloud Explorer",
            "Deployed a first virtual machine.",
            achievements["vm"],
            False,
            True,
        ),
        (
            northwind,
            "Cloud Foundations",
            "Completed Cloud Foundations.",
            achievements["cloud101"],
            True,
            True,
        ),
        (
            northwind,
            "Safety Champion",
            "Recognised for outstanding safety practice.",
            None,
            True,
            True,
        ),
        (northwind, "Star Participant", "Went above and beyond in class.", None, True, True),
        (
            northwind,
            "Cloud Practitioner",
            "Completed the learning path and passed the exam.",
            achievements["path"],
            False,
            True,
        ),
        (
            northwind,
            "Points Club",
            "Earned 40 points across Northwind achievements.",
            achievements["points"],
            False,
            True,
        ),
        (northwind, "Pilot Programme 2024", "Took part in the 2024 pilot.", None, True, False),
        (
            contoso,
            "Team Leader",
            "Completed Leading Teams.",
            achievements["leader"],
            True,
            True,
        ),
        (
            contoso,
            "Network Builder",
            "Configured a private network.",
            achievements["net"],
            False,
            True,
        ),
        (contoso, "Mentor of the Month", "Chosen by peers.", None, True, True),
    ]
    badges = {}
    for organization, name, description, achievement, manual, active in badge_specs:
        badges[name], _ = Badge.objects.get_or_create(
            organization=organization,
            name=name,
            defaults={
                "description": description,
                "achievement": achievement,
                "manual_issuance_enabled": manual,
                "is_active": active,
            },
        )

    # A few issued by hand, through the one issuing service (already earned on a rerun).
    badge_issue_many(
        context=IssueContext.for_class(actor=nw_instructor, course_class=nw_cloud, batch=True),
        pairs=[(badges["Star Participant"].pk, s.pk) for s in nw_students[1:6]],
    )
    badge_issue_many(
        context=IssueContext.for_class(actor=contractor, course_class=nw_safety),
        pairs=[
            (badges["Safety Champion"].pk, nw_students[12].pk),
            (badges["Safety Champion"].pk, co_students[6].pk),
        ],
    )
    badge_issue_many(
        context=IssueContext.for_class(actor=co_instructor, course_class=co_leaders),
        pairs=[(badges["Mentor of the Month"].pk, co_students[2].pk)],
    )


def _achievement(
    organization, name, criteria_type, *, points, courses=(), **criteria
) -> Achievement:
    achievement, _ = Achievement.objects.get_or_create(
        organization=organization,
        name=name,
        defaults={"criteria_type": criteria_type, "points": points, **criteria},
    )
    if courses:
        achievement.course_set.set(courses)
    return achievement
