"""PostgreSQL restarted while requests are in flight: those requests get the clean error page
(templates/500.html, no traceback), nothing is half-written, and the portal recovers without a
restart of its own (CONN_HEALTH_CHECKS). Uses a throwaway PostgreSQL cluster on a free port,
never the shared server."""

import json
import shutil
import subprocess
import threading
import time

import psycopg
import pytest

from tests.conftest import IN_CI
from tests.helpers import PYTHON, ROOT, free_port, wait_until

from .conftest import process_env

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

CLIENTS = 6
PER_REQUEST = 3  # students each issuance request sends: written all together or not at all
VERSION = "15"

SEED = """
import json
from django.contrib.auth.models import Group
from django.test import Client
from accounts.models import Organization, User
from accounts.roles import STUDENT
from badges.models import Badge
org = Organization.objects.create(name="Faults", slug="faults")
staff = User.objects.create_user("platform", password="x", is_staff=True, is_superuser=True)
User.objects.bulk_create(
    [User(username=f"s{n}", email=f"s{n}@example.org", organization=org) for n in range(9000)]
)
# Only students receive badges.
role = Group.objects.get(name=STUDENT)
User.groups.through.objects.bulk_create(
    User.groups.through(user_id=pk, group_id=role.pk)
    for pk in User.objects.filter(organization=org).values_list("pk", flat=True)
)
badge = Badge.objects.create(organization=org, name="Resilience")
client = Client()
client.force_login(staff)
print(json.dumps({
    "session": client.cookies["sessionid"].value,
    "badge": badge.pk,
    "students": list(
        User.objects.filter(organization=org).order_by("pk").values_list("pk", flat=True)
    ),
}))
"""


class OwnCluster:
    def __init__(self):
        self.port = free_port()
        self.name = f"reliability{self.port}"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/portal"

    def ctl(self, *args: str) -> None:
        subprocess.run(
            ["pg_ctlcluster", VERSION, self.name, *args],
            check=True,
            capture_output=True,
            timeout=60,
        )


@pytest.fixture
def own_cluster():
    if not (shutil.which("pg_createcluster") and shutil.which("pg_ctlcluster")):
        if IN_CI:
            pytest.fail("CI runs the PostgreSQL restart test: pg_createcluster not found")
        pytest.skip("needs pg_createcluster/pg_ctlcluster (postgresql-common)")
    cluster = OwnCluster()
    subprocess.run(
        ["pg_createcluster", VERSION, cluster.name, "-p", str(cluster.port), "--", "--auth=trust"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        cluster.ctl("start")
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "portal"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        yield cluster
    finally:
        subprocess.run(
            ["pg_dropcluster", VERSION, cluster.name, "--stop"], capture_output=True, timeout=120
        )


def _manage(cluster: OwnCluster, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=process_env(DATABASE_URL=cluster.url),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_postgres_restart_during_requests(own_cluster, start_portal):
    _manage(own_cluster, "migrate", "--noinput")
    seed = json.loads(_manage(own_cluster, "shell", "-c", SEED).strip().splitlines()[-1])
    portal = start_portal(DATABASE_URL=own_cluster.url, workers=2, threads=3)

    import http.client
    from urllib.parse import urlencode

    csrf = "0123456789abcdef0123456789abcdef"
    cookie = f"sessionid={seed['session']}; csrftoken={csrf}"
    students = iter(
        [
            seed["students"][start : start + PER_REQUEST]
            for start in range(0, len(seed["students"]), PER_REQUEST)
        ]
    )
    lock = threading.Lock()
    stop = threading.Event()
    results: list[tuple[float, int, str, list[int]]] = []

    def client():
        while not stop.is_set():
            with lock:
                batch = next(students, None)
            if batch is None:
                return
            body = urlencode(
                {"badge": seed["badge"], "recipients": batch, "csrfmiddlewaretoken": csrf},
                doseq=True,
            )
            conn = http.client.HTTPConnection("127.0.0.1", portal.port, timeout=30)
            try:
                conn.request(
                    "POST",
                    "/admin/badges/badgeissuance/add/",
                    body=body,
                    headers={
                        "Cookie": cookie,
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                response = conn.getresponse()
                status, text = response.status, response.read().decode("utf-8", "replace")
            except OSError as error:
                status, text = 0, repr(error)
            finally:
                conn.close()
            with lock:
                results.append((time.monotonic(), status, text, batch))
            time.sleep(0.05)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(1.0)
    before = [(status, text[:300]) for _, status, text, _ in list(results)]
    assert before, "no request was answered before the fault"
    assert {status for status, _ in before} == {302}, before[:3]
    fault_at = time.monotonic()
    own_cluster.ctl("stop", "--", "-m", "fast")
    time.sleep(1.0)
    own_cluster.ctl("start")
    back_at = time.monotonic()
    wait_until(
        lambda: any(at > back_at and status == 302 for at, status, _, _ in list(results)),
        timeout=30,
        what="a request to succeed after the restart",
    )
    time.sleep(1.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)

    assert next(students, None) is not None, "the clients ran out of students to issue to"
    statuses = [status for _, status, _, _ in results]
    failed = [(at, text) for at, status, text, _ in results if status != 302]
    assert set(statuses) <= {302, 500}, sorted(set(statuses))
    assert failed, "no request was in flight while PostgreSQL was down"
    for _, text in failed:
        assert "Something went wrong" in text
        assert "Traceback" not in text
        assert "OperationalError" not in text
    # Recovered without restarting gunicorn: everything a second after PostgreSQL was back.
    late = [status for at, status, _, _ in results if at > back_at + 1.0]
    assert late
    assert set(late) == {302}

    with psycopg.connect(own_cluster.url) as db:
        rows = db.execute(
            "SELECT recipient_id, origin, issued_by_id FROM badges_badgeissuance "
            "WHERE badge_id = %s",
            [seed["badge"]],
        ).fetchall()
        duplicates = db.execute(
            "SELECT count(*) FROM (SELECT 1 FROM badges_badgeissuance "
            "GROUP BY badge_id, recipient_id HAVING count(*) > 1) d"
        ).fetchone()[0]
    issued = {recipient for recipient, _, _ in rows}
    assert duplicates == 0
    assert all(origin and issued_by for _, origin, issued_by in rows)
    for _, status, _, batch in results:
        present = [student in issued for student in batch]
        if status == 302:
            assert all(present)
        else:  # one request, one transaction: all of it or none of it
            assert all(present) or not any(present), (status, batch, present)
    print(  # noqa: T201
        f"\nPostgreSQL restarted: {len(results)} requests, {len(failed)} answered with the error "
        f"page during the {back_at - fault_at:.1f}s outage, {len(issued)} issuances, "
        "0 half-written, recovered without restarting gunicorn"
    )
