"""The HTML player in a real browser: headless Chromium driven by Playwright."""

from __future__ import annotations

import base64
import io
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import clusteranim

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("the browser test needs Debian's chromium (make test installs it)", pytrace=False)
    pytest.skip("Debian's chromium is not installed (make test installs it)", allow_module_level=True)

from playwright.sync_api import sync_playwright  # noqa: E402

SCENARIO: dict[str, Any] = {
    "seed": 2,
    "data": {"generator": "blobs", "n_samples": 200, "centers": 3},
    "algorithm": {"name": "kmeans", "k": 3, "max_iter": 8, "tol": 0},
    "style": {
        "width": 320,
        "height": 240,
        "layers": [{"regions": {"alpha": 0.5}}, "points", "centroids", "title"],
    },
    "output": {"fps": 8, "hold_last": 0.2, "toggle_layers": ["regions"]},
}


def test_player_plays_steps_toggles_offline(tmp_path: Path) -> None:
    target = tmp_path / "player.html"
    result = clusteranim.render(SCENARIO, output=target)
    assert result.frames >= 3
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        page = browser.new_page()
        page.on("request", lambda request: requests.append(request.url))
        page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(target.as_uri())
        player = page.locator("#player")
        assert player.get_attribute("data-frame") == "0"
        assert page.locator("#iteration").text_content() == "0"
        first_pixels = canvas_pixels(page)

        page.click("#play")
        for _ in range(100):  # the page's CSP forbids eval, so poll instead of wait_for_function
            if player.get_attribute("data-frame") != "0":
                break
            page.wait_for_timeout(50)
        assert page.locator("#iteration").text_content() != "0"
        page.click("#play")  # pause
        assert player.get_attribute("data-playing") == "false"
        assert canvas_pixels(page) != first_pixels

        page.keyboard.press("Home")
        assert player.get_attribute("data-frame") == "0"
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert player.get_attribute("data-frame") == "2"
        assert page.locator("#iteration").text_content() == "2"
        page.keyboard.press("ArrowLeft")
        assert player.get_attribute("data-frame") == "1"
        page.keyboard.press("Space")
        assert player.get_attribute("data-playing") == "true"
        page.keyboard.press("Space")
        assert player.get_attribute("data-playing") == "false"

        with_regions = canvas_pixels(page)
        page.uncheck("#toggle-regions")
        without_regions = canvas_pixels(page)
        assert without_regions != with_regions
        page.check("#toggle-regions")
        assert canvas_pixels(page) == with_regions
        # What the browser lays together is the frame drawn whole, with and without the
        # regions (to within rounding).
        for shown, layers in (
            (with_regions, SCENARIO["style"]["layers"]),
            (without_regions, SCENARIO["style"]["layers"][1:]),
        ):
            expected = frames_of(tmp_path, {"style.layers": layers})[1]
            assert np.abs(decode(shown) - expected).max() <= 6

        slider = page.locator("#slider")
        slider.fill(str(result.frames - 1))
        assert player.get_attribute("data-frame") == str(result.frames - 1)
        assert page.locator("#objective").text_content() not in ("", "-")
        browser.close()
    assert errors == []
    assert [url for url in requests if not url.startswith(("file://", "data:"))] == []


def canvas_pixels(page: Any) -> str:
    """A fingerprint of what the canvas shows (waiting for the frame's image to be drawn)."""
    page.wait_for_timeout(50)
    return str(page.evaluate("document.getElementById('view').toDataURL()"))


def decode(data_url: str) -> np.ndarray:
    image = Image.open(io.BytesIO(base64.b64decode(data_url.split(",", 1)[1]))).convert("RGB")
    return np.asarray(image).astype(int)


def frames_of(tmp_path: Path, overrides: dict[str, Any]) -> list[np.ndarray]:
    """The frames of the scenario with ``overrides``, drawn whole (a folder of PNGs)."""
    folder = tmp_path / f"frames-{len(list(tmp_path.iterdir()))}"
    clusteranim.render(SCENARIO, output=folder, **{**overrides, "output.toggle_layers": []})
    return [np.asarray(Image.open(path).convert("RGB")).astype(int) for path in sorted(folder.glob("*.png"))]
