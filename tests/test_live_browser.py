"""Live mode in a real browser: the page plays, draws again on New data and on a change of
k, shows the loader's message, and saves a GIF (headless Chromium driven by Playwright).

With CLUSTERANIM_UPDATE_DOCS=1 it also writes the README's screenshot, docs/live.png.
"""

from __future__ import annotations

import io
import os
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import yaml
from PIL import Image
from scipy import ndimage

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("the browser test needs Debian's chromium (make test installs it)", pytrace=False)
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from clusteranim.live import serve  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def until(page: Page, expression: str, seconds: float = 30) -> None:
    """Wait until ``expression`` is true in the page (polled: the page's policy forbids
    the eval that ``wait_for_function`` uses)."""
    deadline = time.perf_counter() + seconds
    while not page.evaluate(expression):
        assert time.perf_counter() < deadline, f"still false after {seconds} s: {expression}"
        page.wait_for_timeout(50)


def canvas_pixels(page: Page) -> np.ndarray:
    """The canvas's pixels as the page shows them (RGB)."""
    shot = page.locator("#frame").screenshot()
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB")).astype(int)


def shown_frame(page: Page) -> tuple[int, int]:
    found = page.eval_on_selector("#frame", "canvas => [canvas.dataset.generation, canvas.dataset.frame]")
    return int(found[0]), int(found[1])


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
            page = browser.new_page(viewport={"width": 1000, "height": 560})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(live.url)
            until(page, "Number(document.getElementById('frame').dataset.frame) >= 0")
            # It plays: the frame shown moves on by itself.
            first = shown_frame(page)
            until(page, f"document.getElementById('frame').dataset.frame !== '{first[1]}'")
            page.click("#play")  # pause, to compare still frames
            before = canvas_pixels(page)
            # New data: a new version is drawn and shown, with other points.
            page.click("#new-data")
            until(page, "document.getElementById('frame').dataset.generation === '2'")
            page.wait_for_timeout(300)
            assert (canvas_pixels(page) != before).any(axis=2).mean() > 0.05
            assert live.session.overrides == {"data.seed": 8}
            # A change of k, made in its control: the last frame shows k centroids.
            page.fill("input[name='algorithm.k']", "5")
            page.press("input[name='algorithm.k']", "Tab")
            until(page, "document.getElementById('frame').dataset.generation === '3'")
            until(page, "document.getElementById('status').textContent.indexOf('drawing') < 0")
            session_scenario = live.session.scenario
            assert session_scenario is not None and session_scenario.algorithm.k == 5
            page.click("#play")
            page.focus("#play")
            page.keyboard.press("End")
            last = live.session.drawing.total
            assert last is not None
            until(page, f"document.getElementById('frame').dataset.frame === '{last - 1}'")
            if os.environ.get("CLUSTERANIM_UPDATE_DOCS"):
                page.screenshot(path=str(ROOT / "docs" / "live.png"))
            # Layers switched off and on in the page, with nothing drawn again: the
            # centroids alone over the bare axes are k marks.
            requests: list[str] = []
            page.on("request", lambda request: requests.append(request.url))
            whole = canvas_pixels(page)
            for name in ("regions", "points", "title"):
                page.uncheck(f"#layer-{name}")
            centroids = canvas_pixels(page)
            page.uncheck("#layer-centroids")
            bare = canvas_pixels(page)
            marks, count = ndimage.label((centroids != bare).any(axis=2))
            assert count == 5
            sizes = np.bincount(marks.ravel())[1:]
            assert sizes.min() > 0.5 * sizes.max()  # five whole marks, none cut or merged
            assert (whole != centroids).any(axis=2).mean() > 0.3  # the regions were there
            for name in ("regions", "points", "title", "centroids"):
                page.check(f"#layer-{name}")
            assert np.array_equal(canvas_pixels(page), whole)
            assert not [url for url in requests if "/api/frame/" in url or "/api/set" in url]
            assert live.session.drawing.generation == 3
            # A value the render refuses: the command line's line, in the page.
            page.fill("input[name='algorithm.k']", "100000")
            page.press("input[name='algorithm.k']", "Tab")
            until(page, "document.getElementById('error').textContent.includes('algorithm.k')")
            assert "must be at most the number of points (300)" in page.locator("#error").text_content()
            page.fill("input[name='algorithm.k']", "4")
            page.press("input[name='algorithm.k']", "Tab")
            # Save a GIF: written by the server under an unused name, its path shown.
            page.select_option("#format", "gif")
            page.click("#save")
            until(page, "document.getElementById('saved').textContent.startsWith('saved ')")
            saved = tmp_path / "out" / "anim-live-1.gif"
            assert saved.read_bytes().startswith(b"GIF89a")
            assert str(saved) in page.locator("#saved").text_content()
            # A request of another page (no token) is refused, and so is one that names
            # another host (as a DNS-rebinding page would).
            refused = page.evaluate("fetch('/api/state').then(answer => answer.status)")
            assert refused == 403
            outsider = playwright.request.new_context(extra_http_headers={"Host": "evil.example"})
            answer = outsider.get(live.url.replace("/?", "/api/state?"))
            assert answer.status == 403 and answer.text() == "wrong Host header"
            assert outsider.get(live.url.replace("/?", "/api/state?")).status == 403
            insider = playwright.request.new_context()
            assert insider.get(live.url.replace("/?", "/api/state?")).status == 200
            browser.close()
    finally:
        live.shutdown()
        live.server_close()
    assert errors == []
