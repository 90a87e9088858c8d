from django.contrib import admin
from django.utils import timezone

from .models import Achievement, AchievementCompletion, SweepRun
from .services import achievement_update


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "criteria_type", "points", "is_enabled"]
    list_filter = ["organization", "criteria_type", "is_enabled"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    autocomplete_fields = ["organization", "lab", "course", "tag", "learning_path"]
    filter_horizontal = ["course_set"]
    readonly_fields = ["created_at", "criteria_changed_at"]

    def save_model(self, request, obj, form, change):
        # Through the service, so that a change of criteria is evaluated over all history by
        # the next sweep. The course set is saved after this, by the admin itself.
        if not change:
            super().save_model(request, obj, form, change)
            return
        if "course_set" in form.changed_data:
            obj.criteria_changed_at = timezone.now()
        achievement_update(achievement=obj)


@admin.register(AchievementCompletion)
class AchievementCompletionAdmin(admin.ModelAdmin):
    list_display = ["student", "achievement", "first_met_at", "recorded_at"]
    list_filter = ["achievement__organization", "achievement"]
    list_select_related = ["student", "achievement"]
    search_fields = ["student__username", "student__email", "achievement__name"]
    autocomplete_fields = ["student", "achievement"]

    # Completions are what the sweep finds in the completion records: add or change those.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SweepRun)
class SweepRunAdmin(admin.ModelAdmin):
    list_display = [
        "started_at",
        "status",
        "trigger",
        "duration",
        "achievements_evaluated",
        "achievements_completed",
        "badges_issued",
    ]
    list_filter = ["status", "trigger"]
    date_hierarchy = "started_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
