"""/metrics: Prometheus figures of the requests (django-prometheus), the sweep (runs, duration,
badges issued) and the Celery queue, for the monitoring system only: an address of
METRICS_ALLOWED_NETWORKS or the bearer token METRICS_TOKEN, nobody else, logged in or not."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from achievements.models import SweepRun
from awarding.sweep.runs import sweep_run
from lms_portal.metrics import QueueCollector
from tests.factories import AchievementFactory, BadgeFactory, LabCompletionFactory
from tests.helpers import celery_sender, free_port

pytestmark = pytest.mark.django_db

OUTSIDE = "203.0.113.7"
TOKEN = "metrics-token-for-the-tests-0123456789"


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def scrape(client, **extra):
    return client.get(reverse("metrics"), **extra)


# --- who may read it -----------------------------------------------------------------------------


def test_an_anonymous_visitor_from_outside_is_refused(client):
    response = scrape(client, REMOTE_ADDR=OUTSIDE)

    assert response.status_code == 403
    assert b"portal_" not in response.content


def test_being_logged_in_is_not_enough(client, administrator):
    client.force_login(administrator)
    assert scrape(client, REMOTE_ADDR=OUTSIDE).status_code == 403


def test_an_address_of_the_allowed_networks_reads_the_metrics(client, settings):
    settings.METRICS_ALLOWED_NETWORKS = ["192.0.2.0/24"]

    response = scrape(client, REMOTE_ADDR="192.0.2.9")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert response["Cache-Control"].startswith("max-age=0")
    assert "django_http_requests_total_by_method_total" in response.content.decode()
    assert scrape(client, REMOTE_ADDR="192.0.3.9").status_code == 403


def test_the_bearer_token_reads_the_metrics_from_anywhere(client, settings):
    settings.METRICS_TOKEN = TOKEN

    assert scrape(
        client, REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=f"Bearer {TOKEN}"
    ).status_code == (200)
    assert scrape(client, REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert scrape(client, REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION=TOKEN).status_code == 403
    assert scrape(client, REMOTE_ADDR=OUTSIDE).status_code == 403


def test_no_token_set_means_no_token_opens_it(client, settings):
    settings.METRICS_TOKEN = ""
    assert scrape(client, REMOTE_ADDR=OUTSIDE, HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_behind_the_proxy_an_outsider_is_not_the_proxys_allowed_address(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24"]
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/24"]

    assert scrape(client, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=OUTSIDE).status_code == 403
    # Prometheus on the same network, scraping the portal directly.
    assert scrape(client, REMOTE_ADDR="10.0.0.5").status_code == 200


def test_production_lets_only_this_machine_in_by_default():
    from lms_portal.settings import production

    assert production.METRICS_ALLOWED_NETWORKS == ["127.0.0.1/32", "::1/128"]
    assert production.METRICS_TOKEN == ""


# --- what it says --------------------------------------------------------------------------------


@pytest.fixture
def scraper(client, settings):
    settings.METRICS_TOKEN = TOKEN

    def read() -> dict:
        response = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
        assert response.status_code == 200
        return samples(response.content.decode())

    return read


def test_sweep_runs_duration_and_badges_issued(scraper, organization, student):
    achievement = AchievementFactory(organization=organization)
    BadgeFactory(organization=organization, achievement=achievement)
    BadgeFactory(organization=organization, achievement=achievement, name="Second")
    LabCompletionFactory(student=student, lab=achievement.lab)
    first = sweep_run()
    second = sweep_run()
    started = timezone.now() - timedelta(minutes=5)
    SweepRun.objects.create(
        started_at=started, finished_at=started, trigger="schedule", status="skipped"
    )

    metrics = scraper()

    assert metrics[("portal_sweep_runs_total", (("status", "succeeded"),))] == 2
    assert metrics[("portal_sweep_runs_total", (("status", "skipped"),))] == 1
    assert metrics[("portal_sweep_runs_total", (("status", "failed"),))] == 0
    assert metrics[("portal_sweep_badges_issued_total", ())] == 2
    assert metrics[("portal_sweep_last_badges_issued", ())] == 0
    assert metrics[("portal_sweep_last_duration_seconds", ())] == pytest.approx(
        second.duration.total_seconds()
    )
    assert metrics[("portal_sweep_duration_seconds_total", ())] == pytest.approx(
        first.duration.total_seconds() + second.duration.total_seconds()
    )
    assert metrics[("portal_sweep_last_failed", ())] == 0
    assert metrics[("portal_sweep_last_finished_timestamp_seconds", ())] == pytest.approx(
        second.finished_at.timestamp()
    )


def test_before_any_sweep_there_is_no_last_run(scraper):
    metrics = scraper()

    assert metrics[("portal_sweep_badges_issued_total", ())] == 0
    assert ("portal_sweep_last_duration_seconds", ()) not in metrics


def test_a_scrape_costs_two_queries(scraper, django_assert_max_num_queries):
    sweep_run()
    with django_assert_max_num_queries(2):
        scraper()


def _queue_samples(app) -> dict:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(QueueCollector(app))
    return samples(generate_latest(registry).decode())


@pytest.mark.redis
def test_the_queue_length_is_read_from_redis(redis_broker):
    app = celery_sender(redis_broker.url, **redis_broker.transport_options)

    assert _queue_samples(app)[("portal_celery_queue_length", (("queue", "celery"),))] == 0
    for _ in range(3):
        app.send_task("awarding.tasks.sweep_achievements")

    metrics = _queue_samples(app)

    assert metrics[("portal_celery_broker_up", ())] == 1
    assert metrics[("portal_celery_queue_length", (("queue", "celery"),))] == 3


def test_a_broker_that_is_down_is_reported_not_raised():
    app = celery_sender(f"redis://127.0.0.1:{free_port()}/0")

    metrics = _queue_samples(app)

    assert metrics == {("portal_celery_broker_up", ()): 0}
