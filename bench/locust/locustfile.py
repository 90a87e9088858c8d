"""A load model of instructors on the Roster, for locust (benchmark 12, bench/load_model.py).

Each simulated user logs in once through the log-in page, then, with think time between
requests, reads the Roster of a class (a page of 100 students), opens the Choose Badge dialog
for one of its students as htmx fetches it, and now and then searches in it. The runner passes:

    LOAD_USERNAME, LOAD_PASSWORD   an administrator of the class's organization
    LOAD_ROSTER                    the Roster's path (/classes/<id>/)
    LOAD_DIALOGS                   Choose Badge paths, comma-separated (one per student)
    LOAD_THINK_MIN, LOAD_THINK_MAX seconds between one user's requests (default 1 and 5)

gunicorn runs with USE_X_FORWARDED_PROTO=on and each request says it came over HTTPS, as behind
the deployment's proxy: the session and CSRF cookies are Secure, so the user carries them in a
Cookie header of its own (an HTTP client drops Secure cookies on http://).
"""

import os
import random
import re

from locust import HttpUser, between, task

THINK_MIN = float(os.environ.get("LOAD_THINK_MIN", "1"))
THINK_MAX = float(os.environ.get("LOAD_THINK_MAX", "5"))
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Instructor(HttpUser):
    wait_time = between(THINK_MIN, THINK_MAX)

    def on_start(self):
        self.roster = os.environ["LOAD_ROSTER"]
        self.dialogs = os.environ["LOAD_DIALOGS"].split(",")
        self.cookies: dict[str, str] = {}
        login = "/accounts/login/"
        page = self.client.get(login, headers=self._headers(), name="log in (form)")
        self.cookies.update(page.cookies.get_dict())
        token = CSRF_FIELD.search(page.text)
        answer = self.client.post(
            login,
            data={
                "username": os.environ["LOAD_USERNAME"],
                "password": os.environ["LOAD_PASSWORD"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            headers={**self._headers(), "Origin": self.host.replace("http://", "https://")},
            allow_redirects=False,
            name="log in",
        )
        if answer.status_code != 302:
            raise RuntimeError(f"Log-in refused: {answer.status_code}")
        self.cookies.update(answer.cookies.get_dict())

    def _headers(self, **extra) -> dict[str, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"X-Forwarded-Proto": "https", **({"Cookie": cookie} if cookie else {}), **extra}

    def _dialog_headers(self) -> dict[str, str]:
        return self._headers(**{"HX-Request": "true", "HX-Target": "portal-dialog-body"})

    @task(3)
    def roster(self):
        self.client.get(self.roster, headers=self._headers(), name="roster")

    @task(2)
    def choose_badge(self):
        self.client.get(
            random.choice(self.dialogs),  # noqa: S311 - which student, not a secret
            headers=self._dialog_headers(),
            name="choose badge",
        )

    @task(1)
    def choose_badge_search(self):
        self.client.get(
            random.choice(self.dialogs),  # noqa: S311
            params={"q": random.choice(["badge", "manual", "1", "bench"])},  # noqa: S311
            headers=self._headers(**{"HX-Request": "true", "HX-Target": "choose-badge-list"}),
            name="choose badge (search)",
        )
