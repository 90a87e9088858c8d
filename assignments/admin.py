from django.contrib import admin
from django.utils import timezone

from .models import CourseAssignment


@admin.register(CourseAssignment)
class CourseAssignmentAdmin(admin.ModelAdmin):
    list_display = ["course", "student", "organization", "assigned_at", "completed_at"]
    list_filter = ["organization", "completed_at"]
    list_select_related = ["course", "student", "organization"]
    search_fields = ["student__username", "student__email", "course__title", "course__code"]
    autocomplete_fields = ["course", "student", "organization", "assigned_by"]
    date_hierarchy = "assigned_at"

    def save_model(self, request, obj, form, change):
        # The sweep's watermark: a completion entered here is picked up like any other.
        if "completed_at" in form.changed_data and obj.completed_at:
            obj.completion_recorded_at = timezone.now()
        super().save_model(request, obj, form, change)
