from django.contrib import admin

from .models import (
    Course,
    Exam,
    ExamAttempt,
    Lab,
    LabCompletion,
    LearningPath,
    LearningPathCourse,
    Tag,
)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["code", "title"]
    list_filter = ["tags"]
    search_fields = ["code", "title"]
    filter_horizontal = ["tags"]


@admin.register(Lab)
class LabAdmin(admin.ModelAdmin):
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


@admin.register(Exam)
class ExamAdmin(admin.ModelAdmin):
    list_display = ["title", "pass_mark"]
    search_fields = ["title"]


class LearningPathCourseInline(admin.TabularInline):
    model = LearningPathCourse
    autocomplete_fields = ["course"]
    extra = 1


@admin.register(LearningPath)
class LearningPathAdmin(admin.ModelAdmin):
    list_display = ["title", "exam"]
    list_select_related = ["exam"]
    search_fields = ["title"]
    inlines = [LearningPathCourseInline]


@admin.register(LabCompletion)
class LabCompletionAdmin(admin.ModelAdmin):
    list_display = ["student", "lab", "completed_at", "recorded_at"]
    list_filter = ["lab", "completed_at"]
    list_select_related = ["student", "lab"]
    search_fields = ["student__username", "student__email", "lab__title"]
    autocomplete_fields = ["student", "lab"]
    date_hierarchy = "completed_at"


@admin.register(ExamAttempt)
class ExamAttemptAdmin(admin.ModelAdmin):
    list_display = ["student", "exam", "score", "passed", "attempted_at"]
    list_filter = ["exam", "passed"]
    list_select_related = ["student", "exam"]
    search_fields = ["student__username", "student__email", "exam__title"]
    autocomplete_fields = ["student", "exam"]
    date_hierarchy = "attempted_at"
