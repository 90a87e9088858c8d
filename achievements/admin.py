from django.contrib import admin

from .models import Achievement, AchievementCompletion


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "criteria_type", "points", "is_enabled"]
    list_filter = ["organization", "criteria_type", "is_enabled"]
    list_select_related = ["organization"]
    search_fields = ["name"]
    autocomplete_fields = ["organization", "lab", "course", "tag", "learning_path"]
    filter_horizontal = ["course_set"]


@admin.register(AchievementCompletion)
class AchievementCompletionAdmin(admin.ModelAdmin):
    list_display = ["student", "achievement", "first_met_at", "recorded_at"]
    list_filter = ["achievement__organization", "achievement"]
    list_select_related = ["student", "achievement"]
    search_fields = ["student__username", "student__email", "achievement__name"]
    autocomplete_fields = ["student", "achievement"]

    def has_change_permission(self, request, obj=None):
        return False
