"""/metrics for Prometheus: django-prometheus' figures and the portal's own (lms_portal/metrics.py),
never for an anonymous visitor from outside. A scraper is let in when its address (the client's,
common.client_address) is in METRICS_ALLOWED_NETWORKS, or when it sends
"Authorization: Bearer <METRICS_TOKEN>"; anyone else gets a 403."""

import hmac
import os
from functools import cache

import prometheus_client
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import multiprocess

from common.client_address import address_in, client_address

from .. import metrics as portal_metrics


@cache
def _portal_registry():
    return portal_metrics.portal_registry()


def scraper_allowed(request) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, offered = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(offered.strip(), token):
            return True
    return address_in(client_address(request.META), settings.METRICS_ALLOWED_NETWORKS)


def _django_registry():
    # With several gunicorn workers and PROMETHEUS_MULTIPROC_DIR, each writes its own figures
    # there and any of them adds them up (as django_prometheus.exports does).
    if "PROMETHEUS_MULTIPROC_DIR" in os.environ:
        registry = prometheus_client.CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return prometheus_client.REGISTRY


@never_cache
@login_not_required
@require_GET
def metrics(request):
    if not scraper_allowed(request):
        return HttpResponseForbidden("Metrics are for the monitoring system only.")
    body = prometheus_client.generate_latest(_django_registry())
    body += prometheus_client.generate_latest(_portal_registry())
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
