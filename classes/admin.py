from django.contrib import admin

from .models import CourseClass, Enrollment


class EnrollmentInline(admin.TabularInline):
    model = Enrollment
    autocomplete_fields = ["student"]
    extra = 0
    show_change_link = True


@admin.register(CourseClass)
class CourseClassAdmin(admin.ModelAdmin):
    list_display = ["name", "course", "organization", "starts_on", "ends_on"]
    list_filter = ["organization", "starts_on"]
    list_select_related = ["course", "organization"]
    search_fields = ["name", "course__title", "course__code"]
    autocomplete_fields = ["course", "organization", "instructors"]
    inlines = [EnrollmentInline]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["student", "course_class", "enrolled_at", "completed_at"]
    list_filter = ["course_class__organization", "completed_at"]
    list_select_related = ["student", "course_class"]
    search_fields = ["student__username", "student__email", "course_class__name"]
    autocomplete_fields = ["student", "course_class"]

    def save_model(self, request, obj, form, change):
        # The sweep's watermark: a completion entered here is picked up like any other.
        if "completed_at" in form.changed_data and obj.completed_at:
            from django.utils import timezone

            obj.completion_recorded_at = timezone.now()
        super().save_model(request, obj, form, change)
