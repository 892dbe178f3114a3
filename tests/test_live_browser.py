"""Live mode in a real browser: the page plays, draws again on New data and on a change of
k, shows the loader's message, and saves a GIF (headless Chromium driven by Playwright).

With CLUSTERANIM_UPDATE_DOCS=1 it also writes the README's screenshot, docs/live.png.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
import yaml

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("the browser test needs Debian's chromium (make test installs it)", pytrace=False)
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

from clusteranim.live import serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def test_the_live_page_plays_changes_and_saves(tmp_path: Path) -> None:
    path = tmp_path / "scenario.yaml"
    document = {
        "seed": 7,
        "data": {"generator": "blobs", "n_samples": 300, "centers": 4},
        "algorithm": {"name": "kmeans", "k": 3, "max_iter": 10},
        "style": {
            "width": 480,
            "height": 360,
            "layers": [{"regions": {"alpha": 0.25}}, "points", "centroids", "title"],
        },
        "output": {"path": str(tmp_path / "out" / "anim.gif"), "fps": 6},
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    live = serve(path, {})
    threading.Thread(target=live.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    errors: list[str] = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
            )
            page = browser.new_page(viewport={"width": 1000, "height": 520})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(live.url)
            page.wait_for_function("document.getElementById('frame').naturalWidth > 0")
            # It plays: the frame shown moves on by itself.
            first = page.eval_on_selector("#frame", "image => image.src")
            page.wait_for_function(f"document.getElementById('frame').src !== {first!r}")
            before = page.locator("#frame").screenshot()
            # New data: a new version is drawn and shown, with other points.
            page.click("#new-data")
            page.wait_for_function("document.getElementById('frame').src.includes('/frame/2/')")
            page.click("#play")  # pause, to compare a still frame
            page.wait_for_timeout(300)
            assert page.locator("#frame").screenshot() != before
            assert live.session.overrides == {"data.seed": 8}
            # A change of k, made in its control.
            page.fill("input[name='algorithm.k']", "5")
            page.press("input[name='algorithm.k']", "Tab")
            page.wait_for_function("document.getElementById('frame').src.includes('/frame/3/')")
            session_scenario = live.session.scenario
            assert session_scenario is not None and session_scenario.algorithm.k == 5
            if os.environ.get("CLUSTERANIM_UPDATE_DOCS"):
                page.click("#play")
                page.wait_for_timeout(1500)
                page.screenshot(path=str(ROOT / "docs" / "live.png"))
            # A value the render refuses: the command line's line, in the page.
            page.fill("input[name='algorithm.k']", "100000")
            page.press("input[name='algorithm.k']", "Tab")
            page.wait_for_function("document.getElementById('error').textContent.includes('algorithm.k')")
            assert "must be at most the number of points (300)" in page.locator("#error").text_content()
            page.fill("input[name='algorithm.k']", "4")
            page.press("input[name='algorithm.k']", "Tab")
            # Save a GIF: written by the server under an unused name, its path shown.
            page.select_option("#format", "gif")
            page.click("#save")
            page.wait_for_function("document.getElementById('saved').textContent.startsWith('saved ')")
            saved = tmp_path / "out" / "anim-live-1.gif"
            assert saved.read_bytes().startswith(b"GIF89a")
            assert str(saved) in page.locator("#saved").text_content()
            # A request of another page (no token) is refused.
            refused = page.evaluate("fetch('/api/state').then(answer => answer.status)")
            assert refused == 403
            browser.close()
    finally:
        live.shutdown()
        live.server_close()
    assert errors == []
