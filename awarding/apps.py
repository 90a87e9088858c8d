from django.apps import AppConfig


class AwardingConfig(AppConfig):
    """Automatic issuance: the sweep (plans, evaluation, runs, lock, tasks), the re-evaluation
    after completions are recorded, the one service that records completions, and the pages where
    administrators set it up (achievements, their badge mappings, the forecast, sweep runs)."""

    name = "awarding"
    verbose_name = "Awarding"
