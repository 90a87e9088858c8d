"""axe-core in the browser tests: every journey checks the page it is on, dialogs open included.

axe-core comes from the npm registry (package.json, `npm ci`); it is evaluated in the page through
the DevTools protocol, which the page's Content-Security-Policy does not govern, so the portal's
own policy stays enforced. Every check writes its full result to var/axe/<label>.json, and each
screenshot goes to var/screenshots/ (both git-ignored) so that a person can look.
"""

import json
import re
from pathlib import Path

from tests.conftest import AXE_SOURCE_PATH

ROOT = Path(__file__).resolve().parents[2]
AXE_RESULTS = ROOT / "var" / "axe"
SCREENSHOTS = ROOT / "var" / "screenshots"
BLOCKING_IMPACTS = {"serious", "critical"}
# WCAG 2.1 A and AA, plus axe's best practices (landmarks, headings, region).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def _axe_source() -> str:
    if not AXE_SOURCE_PATH.exists():
        raise RuntimeError(
            f"{AXE_SOURCE_PATH} is missing: run `npm ci` (make test and make install do)"
        )
    return AXE_SOURCE_PATH.read_text()


def _safe(label: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", label).strip("-")


def axe_violations(page, label: str) -> list[dict]:
    """Run axe-core on the page as it is now; write the result; return the violations. Running
    transitions (a tab fading in) finish first: mid-fade text would measure as low contrast;
    endless ones (a spinner) are not waited for."""
    # Twice, a couple of frames apart: a transition (a tab's fade, htmx settling a swap) may
    # start only on the frame after the click that caused it.
    for _ in range(2):
        page.evaluate(
            """() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
              .then(() => Promise.all(document.getAnimations()
                .filter((a) => a.effect && a.effect.getComputedTiming().iterations !== Infinity)
                .map((a) => a.finished)))
              .then(() => new Promise((done) => {
                const busy = () => document.querySelector(
                  '.htmx-request, .htmx-swapping, .htmx-settling, .fade:not(.show).active');
                const wait = (left) =>
                  !busy() || left === 0 ? done() : setTimeout(() => wait(left - 1), 20);
                wait(100);
              }))"""
        )
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    result = page.evaluate(
        "(tags) => axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    violations = [
        {
            "id": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [
                {"target": node["target"], "summary": node.get("failureSummary", "")}
                for node in violation["nodes"]
            ],
        }
        for violation in result["violations"]
    ]
    AXE_RESULTS.mkdir(parents=True, exist_ok=True)
    (AXE_RESULTS / f"{_safe(label)}.json").write_text(
        json.dumps({"url": page.url, "violations": violations}, indent=2)
    )
    return violations


def assert_no_serious_axe_violations(page, label: str) -> None:
    """No violation of impact serious or critical on the page as it is now (dialogs open too)."""
    blocking = [v for v in axe_violations(page, label) if v["impact"] in BLOCKING_IMPACTS]
    assert blocking == [], "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} at {[n['target'] for n in v['nodes']][:5]}"
        for v in blocking
    )


def save_screenshots(page, label: str) -> None:
    """The page at desktop and phone widths, full length, in var/screenshots/; the viewport is
    left as it was."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    viewport = page.viewport_size
    for name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=SCREENSHOTS / f"{_safe(label)}-{name}.png", full_page=True)
    page.set_viewport_size(viewport)


def page_scrolls_sideways(page) -> bool:
    return page.evaluate(
        "() => document.documentElement.scrollWidth > document.documentElement.clientWidth + 1"
    )
