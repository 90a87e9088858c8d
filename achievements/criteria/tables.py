"""The tables the criteria queries read, named once from the models.

The queries are raw SQL (Django's ORM cannot express the window functions and the set-based
`INSERT … SELECT` of the sweep), so they name tables; taking the names from `_meta` keeps them
right if a model's table changes. The sweep and the benchmarks read the same tables.
"""

from __future__ import annotations

from accounts.models import User
from assignments.models import CourseAssignment
from catalog.models import Course, ExamAttempt, LabCompletion
from classes.models import CourseClass, Enrollment

from ..models import Achievement, AchievementCompletion

LAB_COMPLETIONS = LabCompletion._meta.db_table
EXAM_ATTEMPTS = ExamAttempt._meta.db_table
ENROLLMENTS = Enrollment._meta.db_table
CLASSES = CourseClass._meta.db_table
ASSIGNMENTS = CourseAssignment._meta.db_table
COURSE_TAGS = Course.tags.through._meta.db_table
ACHIEVEMENTS = Achievement._meta.db_table
COMPLETIONS = AchievementCompletion._meta.db_table
USERS = User._meta.db_table
