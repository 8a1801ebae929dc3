"""The real Prefect UI in headless Chromium: open the archive deployment, start a custom run, see it complete.

Chromium is Debian's package (``.ci/install-browser``); Playwright drives it
through ``executable_path`` because its own browser download cannot work here.
The screenshots (in the test's tmp dir; copied to docs/img when missing there or with
PRESSARCHIVE_UPDATE_SCREENSHOTS=1) are what docs/prefect.md and the README show.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pipeline.home import DataHome
from tests import prefect_server as ps

CHROMIUM = Path("/usr/bin/chromium")
DOCS_IMG = ps.ROOT / "docs" / "img"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no /usr/bin/chromium: run .ci/install-browser (apt chromium)"),
]


@pytest.fixture(scope="module")
def served(sandbox_registry: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ps.Server, DataHome]]:
    server = ps.shared_server(tmp_path_factory.getbasetemp())
    home = DataHome.from_env(tmp_path_factory.mktemp("ui-home"))
    proc = ps.serve(server, home.root, sandbox_registry, home.root / "serve.log")  # default schedules
    yield server, home
    proc.stop()


def _publish(shot: Path, name: str) -> None:
    """Copy a screenshot to docs/img when it is missing there or PRESSARCHIVE_UPDATE_SCREENSHOTS=1.

    The docs keep one reviewed image; a test run does not dirty the work tree with a new one each time.
    """
    target = DOCS_IMG / name
    if not target.exists() or os.environ.get("PRESSARCHIVE_UPDATE_SCREENSHOTS") == "1":
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target)


def _deployment_id(server: ps.Server, name: str) -> str:
    found = httpx.post(f"{server.api_url}/deployments/filter", json={}, timeout=10).json()
    return next(d["id"] for d in found if d["name"] == name)


def test_custom_run_from_the_ui(served: tuple[ps.Server, DataHome], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    server, home = served
    deployment = _deployment_id(server, "archive")
    before = {r["id"] for r in httpx.post(f"{server.api_url}/flow_runs/filter", json={}, timeout=10).json()}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(30_000)
        page.goto(f"{server.url}/v2/deployments/deployment/{deployment}")
        expect(page.get_by_text("archive", exact=True).first).to_be_visible()
        expect(page.get_by_role("button", name="Run", exact=True)).to_be_visible()
        expect(page.get_by_text("Every hour").first).to_be_visible()  # the schedule from settings
        time.sleep(1.0)  # let the schedule and parameters panels settle before the screenshot
        page.screenshot(path=tmp_path / "deployment.png")
        _publish(tmp_path / "deployment.png", "prefect-archive-deployment.png")

        page.get_by_role("button", name="Run", exact=True).click()
        page.get_by_text("Custom run").click()
        field = page.get_by_label(re.compile("max_pages"))
        field.fill("2")
        page.screenshot(path=tmp_path / "custom-run.png")
        _publish(tmp_path / "custom-run.png", "prefect-archive-custom-run.png")
        page.get_by_role("button", name="Submit").click()
        expect(page.locator("[data-sonner-toast]").first).to_be_visible()

        new: list[dict[str, object]] = []

        def created() -> bool:
            runs = httpx.post(f"{server.api_url}/flow_runs/filter", json={}, timeout=10).json()
            # the hourly schedule adds Scheduled runs too: the UI's run is the one with the changed parameter
            new[:] = [r for r in runs if r["id"] not in before and r["parameters"].get("max_pages") == 2]
            return bool(new)

        ps.wait_for(created, timeout=30, what="a flow run created from the UI")
        (run,) = new
        assert run["parameters"]["max_pages"] == 2
        done = ps.wait_final(server, run["id"], timeout=180)
        assert done.state.is_completed()
        page.goto(f"{server.url}/v2/runs/flow-run/{run['id']}")
        expect(page.get_by_text("Completed").first).to_be_visible()
        page.screenshot(path=tmp_path / "run.png")
        browser.close()
    from warehouse.query import run_query

    counts = run_query(home.db_path, "SELECT source_id, count(*) FROM articles GROUP BY ALL").rows
    assert counts and all(0 < n <= 2 for _, n in counts), counts  # max_pages=2 from the form reached the crawl
