"""Benchmark 10: Open Badges 3.0 credentials. How many credentials one process signs per second
(the whole lazy first request's work: build the credential, take its status index, canonicalize
with pyld, sign with Ed25519, store it), and the time to first byte of a download of a credential
nobody asked for before (so signed during that request), over HTTP from gunicorn on 127.0.0.1."""

from __future__ import annotations

import statistics
import time

import httpx
from django.urls import reverse

from badges.models import BadgeIssuance
from bench.benchmarks import _free_port, _start_gunicorn
from credentials.ob3_services import signed_credential_for


def _unsigned_issuances(count: int) -> list[BadgeIssuance]:
    issuances = list(
        BadgeIssuance.objects.filter(signed_credential__isnull=True, revoked_at__isnull=True)
        .select_related("badge__organization", "badge__achievement", "recipient")
        .order_by("pk")[:count]
    )
    if len(issuances) < count:
        raise RuntimeError(f"Only {len(issuances)} unsigned issuances to sign, {count} wanted.")
    return issuances


def signing_rate(*, count: int) -> dict:
    """Sign `count` unsigned issuances one after the other in this process."""
    first, *rest = _unsigned_issuances(count + 1)
    signed_credential_for(issuance=first)  # warm-up: the organization's key and status list
    started = time.perf_counter()
    for issuance in rest:
        signed_credential_for(issuance=issuance)
    seconds = time.perf_counter() - started
    return {
        "credentials": count,
        "seconds": round(seconds, 3),
        "per_second": round(count / seconds, 1),
    }


def download_ttfb(*, repeats: int) -> dict:
    """Median time to first byte of GET /public/credentials/<uuid>?download for `repeats`
    credentials never signed before, and of the same URLs again (kept, not signed again)."""
    issuances = _unsigned_issuances(repeats + 1)
    port = _free_port()
    server = _start_gunicorn(port)
    base = f"http://127.0.0.1:{port}"

    def ttfb(client: httpx.Client, issuance: BadgeIssuance) -> float:
        url = base + reverse("credentials:credential", args=[issuance.uuid]) + "?download"
        started = time.perf_counter()
        with client.stream("GET", url) as response:
            elapsed = time.perf_counter() - started  # the status line and headers are in
            response.read()
        if response.status_code != 200:
            raise RuntimeError(f"GET {url}: {response.status_code}")
        return elapsed

    try:
        with httpx.Client(timeout=30) as client:
            ttfb(client, issuances[0])  # warm-up of the worker
            first = [ttfb(client, issuance) for issuance in issuances[1:]]
            kept = [ttfb(client, issuance) for issuance in issuances[1:]]
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "downloads": repeats,
        "unsigned_median_ms": round(statistics.median(first) * 1000, 1),
        "unsigned_max_ms": round(max(first) * 1000, 1),
        "kept_median_ms": round(statistics.median(kept) * 1000, 1),
    }


def run(*, count: int, repeats: int) -> dict:
    return {"signing": signing_rate(count=count), "download": download_ttfb(repeats=repeats)}


def report_rows(results: dict) -> list[tuple[str, str, str, str, str]]:
    signing, download = results["signing"], results["download"]
    return [
        (
            f"10. Open Badges 3.0: credentials signed, one process ({signing['credentials']:,})",
            f"{signing['per_second']} per second",
            "",
            "",
            "",
        ),
        (
            "10. Open Badges 3.0: TTFB of a download of an unsigned credential (gunicorn, "
            f"median of {download['downloads']})",
            f"{download['unsigned_median_ms']} ms (max {download['unsigned_max_ms']} ms)",
            f"kept: {download['kept_median_ms']} ms",
            "",
            "",
        ),
    ]
