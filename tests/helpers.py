"""Helpers the tests share: htmx request headers, logged-in clients, the URL of the test database
for other processes, free ports, waiting for a condition, a Celery worker process, and the Redis
keys of this run. Fixtures built on them live in tests/conftest.py."""

import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


# --- htmx ----------------------------------------------------------------------------------------


def htmx_headers(target: str | None = None) -> dict[str, str]:
    """The headers htmx sends with a request (for the test client's `headers=`), with the id of
    the element the answer goes into when there is one."""
    headers = {"HX-Request": "true"}
    if target is not None:
        headers["HX-Target"] = target
    return headers


HTMX = htmx_headers()
# A request from the portal's dialog (templates/base.html): the answer fills its body.
DIALOG = htmx_headers("portal-dialog-body")


# --- users ---------------------------------------------------------------------------------------


def logged_in(client, user):
    """`client`, logged in as `user` (no password, no login form)."""
    client.force_login(user)
    return client


# --- processes -----------------------------------------------------------------------------------


def database_url(settings_dict=None) -> str:
    """The URL of the test database (or of `settings_dict`), for a process the test starts."""
    if settings_dict is None:
        from django.db import connection

        settings_dict = connection.settings_dict
    db = settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    host = db["HOST"] or "127.0.0.1"
    return f"postgres://{credentials}@{host}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(
    predicate,
    *,
    timeout: float,
    interval: float = 0.05,
    what: str = "condition",
    log: Path | None = None,
) -> None:
    """Return once `predicate()` is true; fail after `timeout` seconds, with `log` (a process's
    output) in the message if given."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    message = f"Timed out after {timeout}s waiting for {what}"
    if log is not None:
        message += f". Log {log.name}:\n{log.read_text()}"
    raise AssertionError(message)


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it is still there after `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


@contextmanager
def celery_worker(
    env: dict, log: Path, *, timeout: float = 60, hostname: str | None = None
) -> Iterator[subprocess.Popen]:
    """A Celery worker of the portal (solo pool, no gossip, mingle or heartbeat) with environment
    `env`, its output in `log`, named `hostname` if given (several workers at once); yields the
    process once the worker is ready (a test may SIGKILL it), stops whatever is left of it
    afterwards."""
    with log.open("w") as handle:
        worker = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "celery",
                "-A",
                "lms_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                *([f"--hostname={hostname}"] if hostname else []),
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until(
            lambda: "ready." in log.read_text(),
            timeout=timeout,
            interval=0.2,
            what="the worker to be ready",
            log=log,
        )
        yield worker
    finally:
        stop_process(worker, timeout=20)


@contextmanager
def celery_worker_process(
    env: dict, log: Path, *, timeout: float = 60, hostname: str | None = None
) -> Iterator[Path]:
    """`celery_worker`, yielding its log."""
    with celery_worker(env, log, timeout=timeout, hostname=hostname):
        yield log


# --- Celery apps ---------------------------------------------------------------------------------


def celery_sender(broker_url: str, **transport_options):
    """A bare Celery app that only sends, to `broker_url`. Never the *current* app: the portal's
    shared tasks follow the current app, and one made current here would send every later
    test's tasks (the on-commit drain kick, a re-evaluation) to this broker, not run them."""
    from celery import Celery

    sender = Celery(broker=broker_url, set_as_current=False)
    sender.conf.broker_transport_options = transport_options
    return sender


def broker_connections_forget(app) -> None:
    """Drop `app`'s pools of broker connections and producers, made for the broker of the moment,
    before it is pointed at another. Dropped, not closed: whoever still holds the old pool (a
    producer of the moment) must not find it closed under them ("Acquire on closed pool")."""
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_conf(app, **conf) -> Iterator[None]:
    """`app`'s configuration changed by `conf` for a while (a broker, eager mode), its
    connections renewed when the broker changes."""
    saved = {key: app.conf[key] for key in conf}
    new_broker = conf.get("broker_url", app.conf.broker_url) != app.conf.broker_url
    if new_broker:
        broker_connections_forget(app)
    app.conf.update(**conf)
    try:
        yield
    finally:
        if new_broker:
            broker_connections_forget(app)
        app.conf.update(saved)


# --- Redis ---------------------------------------------------------------------------------------

# The Redis the tests may use (CI sets REDIS_URL). The tests never flush it: everything they
# write is under REDIS_KEY_PREFIX, made for this run, and only those keys are deleted.
REDIS_URL = (
    os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
)
REDIS_KEY_PREFIX = f"portal-tests-{os.getpid()}-{secrets.token_hex(6)}:"


def redis_transport_options(prefix: str = REDIS_KEY_PREFIX) -> dict:
    """Kombu's options for a Redis broker that keeps every key (queues, bindings, unacked
    messages) and pub/sub channel under `prefix`."""
    return {"global_keyprefix": prefix}


def _glob_escape(text: str) -> str:
    return "".join(f"\\{char}" if char in "*?[]\\" else char for char in text)


def delete_keys_with_prefix(client, prefix: str = REDIS_KEY_PREFIX) -> int:
    """Delete the keys that start with `prefix` (SCAN, then DEL): nothing else in the database is
    touched. Returns how many were deleted."""
    if not prefix:
        raise ValueError("an empty prefix would delete every key")
    deleted = 0
    batch = []
    for key in client.scan_iter(match=_glob_escape(prefix) + "*", count=500):
        batch.append(key)
        if len(batch) == 500:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted
