"""The deployment files, read as Docker and pip would (Docker itself is not on this machine):
docker-compose.yml brings up Caddy in front of the portal with the health checks and volumes it
needs, the lock files pin every dependency of pyproject.toml with hashes, and `make install`, the
Dockerfile and CI install from them."""

import ipaddress
import re
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
PORTAL_SERVICES = ("migrate", "web", "worker", "beat")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def caddyfile() -> str:
    return (ROOT / "deploy" / "Caddyfile").read_text()


# --- docker-compose ------------------------------------------------------------------------------


def test_every_service_is_there(compose):
    assert set(compose["services"]) == {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "caddy",
        "mailpit",
    }
    # Mailpit catches e-mails in development only.
    assert compose["services"]["mailpit"]["profiles"] == ["dev"]


# (Ids that are not bare service names: a test with the keyword "postgres" is skipped on SQLite.)
@pytest.mark.parametrize(
    "name",
    ["postgres", "redis", "web", "worker", "beat", "caddy", "mailpit"],
    ids=lambda name: f"service-{name}",
)
def test_every_long_running_service_has_a_health_check(compose, name):
    check = compose["services"][name]["healthcheck"]
    assert check["test"]
    assert check["interval"]


def test_the_worker_is_checked_by_a_ping_and_beat_by_its_heartbeat(compose):
    assert "inspect ping" in " ".join(compose["services"]["worker"]["healthcheck"]["test"])
    assert compose["services"]["beat"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "-m",
        "lms_portal.beat",
    ]


def test_only_caddy_is_reachable_from_outside(compose):
    published = {
        name
        for name, service in compose["services"].items()
        if service.get("ports") and "dev" not in service.get("profiles", [])
    }
    assert published == {"caddy"}
    # Mailpit (dev profile) is on this machine's loopback only.
    assert all(port.startswith("127.0.0.1:") for port in compose["services"]["mailpit"]["ports"])
    assert "443:443" in compose["services"]["caddy"]["ports"]


def test_the_portal_trusts_caddy_and_only_caddy_for_the_client_address(compose):
    caddy_address = compose["services"]["caddy"]["networks"]["default"]["ipv4_address"]
    [subnet] = compose["networks"]["default"]["ipam"]["config"]
    assert ipaddress.ip_address(caddy_address) in ipaddress.ip_network(subnet["subnet"])
    for name in PORTAL_SERVICES:
        environment = compose["services"][name]["environment"]
        assert environment["TRUSTED_PROXIES"] == f"${{TRUSTED_PROXIES:-{caddy_address}}}"
        assert environment["USE_X_FORWARDED_PROTO"] == "on"
        assert environment["LOG_FORMAT"] == "json"


def test_caddy_serves_the_volumes_the_portal_writes(compose, caddyfile):
    portal_volumes = set(compose["services"]["web"]["volumes"])
    assert {"media:/app/media", "static:/app/staticfiles"} <= portal_volumes
    caddy_volumes = set(compose["services"]["caddy"]["volumes"])
    assert {"static:/srv/static:ro", "media:/srv/media:ro"} <= caddy_volumes
    assert "./deploy/Caddyfile:/etc/caddy/Caddyfile:ro" in caddy_volumes
    # The defaults of the file's variables are docker-compose's (tests/test_caddy.py sets others).
    for prefix, root in [
        ("static", r"\{\$STATIC_DIR:/srv/static\}"),
        ("media", r"\{\$MEDIA_DIR:/srv/media\}"),
    ]:
        assert re.search(rf"handle_path /{prefix}/\*\s*\{{\s*root \* {root}", caddyfile)
    assert "reverse_proxy {$PORTAL_UPSTREAM:web:8000}" in caddyfile
    assert "{$SITE_ADDRESS:localhost}" in caddyfile


def test_each_up_collects_the_static_files_into_the_volume_before_migrating(compose):
    command = " ".join(compose["services"]["migrate"]["command"])
    assert "collectstatic --noinput && python manage.py migrate --noinput" in command


def test_uploaded_images_are_never_served_as_pages(caddyfile):
    media = caddyfile[caddyfile.index("handle_path /media/*") :]
    media = media[: media.index("\n\t}")]
    assert "X-Content-Type-Options nosniff" in media
    assert "sandbox" in media


def test_the_portal_settings_match_the_paths_of_the_volumes():
    from lms_portal.settings import base

    assert base.STATIC_URL == "/static/"
    assert base.MEDIA_URL == "/media/"
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "WORKDIR /app" in dockerfile
    assert str(base.STATIC_ROOT) == str(base.BASE_DIR / "staticfiles")
    assert str(base.MEDIA_ROOT) == str(base.BASE_DIR / "media")


# --- the lock files ------------------------------------------------------------------------------


def _pins(path: Path) -> dict[str, str]:
    text = path.read_text()
    pins = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9_.\-]+)==(\S+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} has no hash in {path.name}"
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _satisfied(requirements: list[str], pins: dict[str, str]) -> list[str]:
    unmet = []
    for line in requirements:
        requirement = Requirement(line)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None or not requirement.specifier.contains(pinned, prereleases=True):
            unmet.append(f"{line} (locked: {pinned})")
    return unmet


def test_the_test_lock_pins_every_dependency_of_pyproject(pyproject):
    """Fails when pyproject.toml gained or changed a dependency and `make lock` was not rerun."""
    pins = _pins(ROOT / "requirements" / "test.txt")
    project = pyproject["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]

    assert _satisfied(wanted, pins) == []


def test_the_production_lock_is_the_same_versions_without_the_test_tools(pyproject):
    production = _pins(ROOT / "requirements" / "production.txt")
    test = _pins(ROOT / "requirements" / "test.txt")

    assert _satisfied(pyproject["project"]["dependencies"], production) == []
    assert {name: test[name] for name in production} == production
    assert "pytest" not in production
    assert "playwright" not in production


def test_make_install_the_dockerfile_and_ci_install_from_the_lock():
    makefile = (ROOT / "Makefile").read_text()
    assert "pip install --quiet --require-hashes --no-deps -r $(LOCK_TEST)" in makefile
    assert "LOCK_TEST := requirements/test.txt" in makefile
    assert re.search(r"^lock:", makefile, re.MULTILINE)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "pip install --require-hashes --no-deps -r requirements/production.txt" in dockerfile
    assert "pip install --no-deps --no-build-isolation ." in dockerfile
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make lint" in ci
    assert "make test" in ci
