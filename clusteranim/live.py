"""Live mode: a local page that plays a scenario, changes its keys and saves what you like.

``clusteranim live SCENARIO`` serves one page on 127.0.0.1. The page asks the server for
the scenario's controls (the keys marked live, see :mod:`clusteranim.controls`) and for
frames, which a background thread draws one by one after every change: the page shows
the first as soon as it exists. A change is an override, checked by the loader as
``--set`` is; a refusal comes back with the command line's own line.

Every request must carry the session's random token (in the page's URL, then in a
header), a Host header naming this server, and no foreign Origin; the client never
sends a path: saving chooses an unused name in the scenario's output folder.
"""

from __future__ import annotations

import base64
import hmac
import io
import json
import re
import secrets
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import numpy as np
import yaml

from clusteranim.controls import live_controls
from clusteranim.errors import ClusteranimError, ScenarioError
from clusteranim.scenario import Scenario, load_scenario
from clusteranim.scene.layers import LAYERS
from clusteranim.scene.parts import Part
from clusteranim.scene.style import StyleOptions

#: The formats the page's save menu offers, by the extension they are written with.
SAVE_FORMATS = {"gif": ".gif", "mp4": ".mp4", "webm": ".webm", "html": ".html", "frames": ""}
#: Largest request body read (a change is a few bytes).
MAX_BODY = 64 << 10
#: Seconds between two looks at the scenario file's time and size.
WATCH_INTERVAL = 0.5
#: What the page may load: its own inline script and style, frames as data URIs, and
#: requests to this server only.
PAGE_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; script-src 'unsafe-inline';"
    " connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
#: A frame's generation and index in a route (ASCII digits, at most nine each).
FRAME_ROUTE = re.compile(r"([0-9]{1,9})/([0-9]{1,9})")
#: Header that carries the token on the page's requests.
TOKEN_HEADER = "X-Clusteranim-Token"


#: One layer's pixels in one frame: the box around what it draws, as (top, left, PNG),
#: or None when it draws nothing there.
Piece = tuple[int, int, bytes] | None


@dataclass
class Drawing:
    """The frames of one version of the scenario, as they are drawn: each frame as its
    parts (see :mod:`clusteranim.scene.parts`), every layer apart so that the page can
    hide any of them without drawing again.

    ``overrides`` and ``scenario`` are the version drawn; a version that fails to run
    (a k beyond the points) gives way to the last good one, shown again with the message.
    """

    generation: int
    overrides: dict[str, Any] = field(default_factory=dict)
    scenario: Scenario | None = None
    frames: list[list[Piece]] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    total: int | None = None
    seconds: list[float] = field(default_factory=list)
    error: str | None = None
    done: bool = False


#: Algorithm keys carried over when the page switches algorithm (where the new one has them).
PORTABLE = ("k", "max_iter", "tol", "seed", "normalize")


class SaveCancelledError(Exception):
    """The server stopped while a save was being drawn."""


class Session:
    """The scenario a live page shows: its file, the changes made in the page, and the
    frames of the current version.

    One thread draws, one version at a time: a change made while a version is being run
    replaces any change still waiting, and the version being drawn stops at its next
    frame.

    Parameters
    ----------
    path : Path
        The scenario file (never written).
    overrides : mapping of str to object
        Changes on top of the file, typed values by dotted key.
    """

    def __init__(self, path: Path, overrides: dict[str, Any] | None = None) -> None:
        self.path = path
        self.overrides: dict[str, Any] = dict(overrides or {})
        self.lock = threading.Lock()
        self.drawing = Drawing(0, dict(self.overrides))
        self.good: Drawing | None = None  # the last version that ran
        self.scenario: Scenario | None = None
        self.saved: list[Path] = []
        self.stopped = threading.Event()
        self.save_lock = threading.Lock()
        self.waiting = threading.Condition()
        self.next: tuple[Scenario, Drawing] | None = None
        self.drawer: threading.Thread | None = None
        self.layers_fitted = False  # style.layers was set to suit a switch of algorithm

    def close(self, timeout: float = 10.0) -> None:
        """Stop drawing and saving, and wait (up to ``timeout`` seconds) for the threads
        that do it: a thread still drawing when the interpreter exits can abort it. A
        save in progress notices at its next frame and removes its partial file."""
        self.stopped.set()
        with self.waiting:
            self.waiting.notify_all()
        if self.drawer is not None and self.drawer is not threading.current_thread():
            self.drawer.join(timeout)
        if self.save_lock.acquire(timeout=timeout):
            self.save_lock.release()

    # ------------------------------------------------------------------ the file

    def stamp(self) -> tuple[int, int] | None:
        """When the file last changed and its size (None while it cannot be read)."""
        try:
            facts = self.path.stat()
        except OSError:
            return None
        return (facts.st_mtime_ns, facts.st_size)

    def watch(self, interval: float = WATCH_INTERVAL) -> threading.Thread:
        """Draw the scenario again whenever its file changes (checked every ``interval``
        seconds, until :attr:`stopped` is set); a file that no longer loads shows its
        message in the page, and the next good save draws again."""

        def loop() -> None:
            seen = self.stamp()
            while not self.stopped.wait(interval):
                now = self.stamp()
                if now is not None and now != seen:
                    seen = now
                    self.start()

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        return thread

    # ------------------------------------------------------------------ changes

    def change(self, overrides: dict[str, Any]) -> str | None:
        """Apply ``overrides`` (a value of None removes a change) and start drawing the
        new version; the loader's message when it refuses them (nothing changes then).

        Only the keys the page shows may change. Switching algorithm keeps the keys the
        new one shares (k, max_iter, tol, seed, normalize) and, when the file lists the
        layers, leaves out those the new one cannot draw.
        """
        current = self.scenario
        allowed = {control.key for control in live_controls(current)} if current is not None else set()
        for key, value in overrides.items():
            if key not in allowed and not (value is None and key in self.overrides):
                return f"{key}: not a key the page changes (those are: {', '.join(sorted(allowed))})"
        proposed = {**self.overrides, **overrides}
        proposed = {key: value for key, value in proposed.items() if value is not None}
        if "algorithm.name" in overrides and current is not None:
            proposed = self._switched(proposed, current)
        try:
            scenario = load_scenario(self.path, proposed)
        except ScenarioError as error:
            fitted = self._layers_fitted(proposed, error) if "algorithm.name" in overrides else None
            if fitted is None:
                return str(error)
            if isinstance(fitted, ScenarioError):
                return str(fitted)  # what still stands in the way once the layers suit
            proposed, scenario = fitted
        with self.lock:
            self.overrides = proposed
        self.start(scenario)
        return None

    def _switched(self, proposed: dict[str, Any], current: Scenario) -> dict[str, Any]:
        """``proposed`` with the algorithm section replaced by the new algorithm's: its
        name and the portable keys of the current one that it has."""
        from clusteranim.algorithms import ALGORITHMS

        options = ALGORITHMS.get(proposed["algorithm.name"])
        if options is None:
            return proposed  # the loader names the known ones
        unused = getattr(options, "unused", {})
        section: dict[str, Any] = {"name": proposed["algorithm.name"]}
        for key in PORTABLE:
            if key in options.model_fields and key not in unused:
                value = getattr(current.algorithm, key, None)
                if value is not None and (key != "k" or not current.algorithm.profile().finds_k):
                    section[key] = value
        kept = {key: value for key, value in proposed.items() if not key.startswith("algorithm")}
        if self.layers_fitted:  # the layers left out for the last algorithm may suit this one
            kept.pop("style.layers", None)
            self.layers_fitted = False
        if "{algorithm}" not in current.style.title and "style.title" not in kept:
            kept["style.title"] = StyleOptions.model_fields["title"].default  # not the old name
        return {**kept, "algorithm": section}

    def _layers_fitted(
        self, proposed: dict[str, Any], error: ScenarioError
    ) -> tuple[dict[str, Any], Scenario] | ScenarioError | None:
        """After a switch of algorithm that the file's layers refuse: the layers the new
        algorithm can draw, and the scenario with them; what the loader still refuses with
        them; or None when the layers are not the problem."""
        from clusteranim.algorithms import ALGORITHMS
        from clusteranim.options import OptionError

        if not any(  # the file's layers (or a panel's, whose problem names them in its message)
            problem.key.startswith("style.layers") or problem.message.startswith("style.layers")
            for problem in error.problems
        ):
            return None
        try:
            options = ALGORITHMS[proposed["algorithm"]["name"]].model_validate(proposed["algorithm"])
            layers = load_scenario(
                self.path, {key: v for key, v in proposed.items() if key != "algorithm"}
            ).style.layers
        except (KeyError, ValueError, ScenarioError):
            return None
        profile = options.profile()
        drawable = []
        for layer in layers:
            try:
                layer.check_for(profile)
            except OptionError:
                continue
            drawable.append(
                {"name": layer.plugin_name(), **layer.model_dump(mode="json", exclude_defaults=True)}
            )
        fitted = {**proposed, "style.layers": drawable}
        try:
            scenario = load_scenario(self.path, fitted)
        except ScenarioError as remaining:
            return remaining
        self.layers_fitted = True
        return fitted, scenario

    def reseed(self, key: str) -> str | None:
        """A new ``data.seed`` (new data) or ``algorithm.seed`` (a new start)."""
        current = self.scenario
        if current is None:
            return self.change({})
        section = current.data if key == "data.seed" else current.algorithm
        value = getattr(section, "seed", None)
        base = current.seed if value is None else value
        return self._reseeded(key, (base + 1) % (2**31))

    def _reseeded(self, key: str, seed: int) -> str | None:
        proposed = {**self.overrides, key: seed}
        try:
            scenario = load_scenario(self.path, proposed)
        except ScenarioError as error:
            return str(error)
        with self.lock:
            self.overrides = proposed
        self.start(scenario)
        return None

    def start(self, scenario: Scenario | None = None) -> None:
        """Draw ``scenario`` (by default the file with the changes) from its first frame."""
        with self.lock:
            overrides = dict(self.overrides)
        if scenario is None:
            try:
                scenario = load_scenario(self.path, overrides)
            except ScenarioError as error:
                self._failed(Drawing(self.drawing.generation + 1, overrides), str(error), revert=False)
                return
        with self.lock:
            self.scenario = scenario
            drawing = Drawing(self.drawing.generation + 1, overrides, scenario)
            self.drawing = drawing
        with self.waiting:
            self.next = (scenario, drawing)
            self.waiting.notify()
            if self.drawer is None:
                self.drawer = threading.Thread(target=self._drawing_loop, daemon=True)
                self.drawer.start()

    def _drawing_loop(self) -> None:
        while not self.stopped.is_set():
            with self.waiting:
                while self.next is None:
                    self.waiting.wait(0.5)
                    if self.stopped.is_set():
                        return
                scenario, drawing = self.next
                self.next = None
            if self.drawing is drawing:
                self._draw(scenario, drawing)

    def _failed(self, drawing: Drawing, message: str, revert: bool) -> None:
        """``drawing`` cannot be drawn: show the last good version again, with
        ``message``; a page's change that caused it is undone (``revert``)."""
        with self.lock:
            if self.drawing.generation > drawing.generation:
                return  # a newer version took over
            good = self.good
            if good is None:
                self.drawing = Drawing(drawing.generation + 1, drawing.overrides, error=message, done=True)
                return
            if revert:
                self.overrides = dict(good.overrides)
                self.scenario = good.scenario
            self.drawing = Drawing(
                drawing.generation + 1,
                good.overrides,
                good.scenario,
                good.frames,
                good.parts,
                good.total,
                good.seconds,
                error=message,
                done=True,
            )

    def _draw(self, scenario: Scenario, drawing: Drawing) -> None:
        from clusteranim.drawing import Run, drawer_of, schedule_of
        from clusteranim.pipeline import load_data, panel_runs, quality_of, run
        from clusteranim.writers.png import drawn_box, png_bytes

        try:
            dataset = load_data(scenario)
            if self.drawing is not drawing or self.stopped.is_set():
                return
            if scenario.panel_list:
                runs = panel_runs(scenario, dataset)
            else:
                runs = [Run(scenario, dataset, run(scenario, dataset))]
            if self.drawing is not drawing or self.stopped.is_set():
                return
            schedule = schedule_of(scenario, *(each.trace for each in runs))
            parts = scenario.frame_parts([layer.plugin_name() for layer in scenario.drawn_style.layers])
            drawing.parts = list(parts)
            drawing.seconds = [shot.seconds for shot in schedule]
            drawing.total = len(schedule)
            # Drawn here, frame by frame (all its parts), so that the page can show each
            # frame as soon as it exists.
            drawer = drawer_of(scenario, runs, quality_of(scenario, runs))
            try:
                for shot in schedule:
                    pieces: list[Piece] = []
                    for part in parts:
                        if self.drawing is not drawing or self.stopped.is_set():
                            return  # a newer change took over
                        pixels = drawer.draw(shot, part=part)
                        if part.base:
                            pieces.append((0, 0, png_bytes(pixels)))
                        elif (box := drawn_box(pixels)) is not None:
                            pieces.append((box[0], box[1], png_bytes(box[2], transparent=True)))
                        else:
                            pieces.append(None)
                    drawing.frames.append(pieces)
            finally:
                drawer.close()
            with self.lock:
                self.good = drawing
        except ClusteranimError as error:
            self._failed(drawing, str(error), revert=True)
        finally:
            drawing.done = True

    # ------------------------------------------------------------------ answers

    def state(self) -> dict[str, Any]:
        """What the page needs to show the current version."""
        drawing, scenario = self.drawing, self.scenario
        controls = [] if scenario is None else [vars(control) for control in live_controls(scenario)]
        for control in controls:
            control["choices"] = list(control["choices"])
        return {
            "generation": drawing.generation,
            "parts": [
                {"toggle": part.toggle, "label": LAYERS[part.toggle].display_name if part.toggle else ""}
                for part in drawing.parts
            ],
            "frames": len(drawing.frames),
            "total": drawing.total,
            "seconds": drawing.seconds,
            "done": drawing.done,
            "error": drawing.error,
            "controls": controls,
            "overrides": self.overrides,
            "formats": list(SAVE_FORMATS),
            "saved": [str(path) for path in self.saved],
        }

    def pieces(self, generation: int, index: int) -> list[Piece] | None:
        """The parts of frame ``index`` of version ``generation`` (None when there is no
        such frame, or not yet)."""
        drawing = self.drawing
        if drawing.generation != generation or not 0 <= index < len(drawing.frames):
            return None
        return drawing.frames[index]

    def frame(self, generation: int, index: int) -> bytes | None:
        """Frame ``index`` of version ``generation`` with every layer, as a PNG."""
        from PIL import Image

        from clusteranim.scene.parts import compose
        from clusteranim.writers.png import png_bytes

        pieces = self.pieces(generation, index)
        if pieces is None:
            return None
        layers: list[np.ndarray] = []
        for piece in pieces:
            if piece is None:
                continue
            top, left, data = piece
            pixels = np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))
            if not layers:
                layers.append(pixels)
                continue
            placed = np.zeros_like(layers[0])
            placed[top : top + pixels.shape[0], left : left + pixels.shape[1]] = pixels
            layers.append(placed)
        return png_bytes(compose(layers))

    def scenario_yaml(self) -> str:
        """The scenario file with the page's changes applied, as YAML."""
        from clusteranim.scenario.overrides import assign, parse_overrides

        document = yaml.safe_load(self.path.read_text(encoding="utf-8")) or {}
        origin = load_scenario(self.path, self.overrides).origin
        for path, value, text in parse_overrides(self.overrides):  # typed as --set types them
            assign(document, path, value, text, origin)
        return str(yaml.safe_dump(document, sort_keys=False))

    def save(self, output_format: str, hidden: Collection[str] = ()) -> Path:
        """Render the current version in ``output_format`` into the scenario's output
        folder, under a name no file has, without the layers called ``hidden`` (those the
        page hides; names it no longer has are ignored); its path. An HTML player gets a
        switch for each layer shown. One save at a time.

        Raises
        ------
        ScenarioError, RenderError
            As ``render`` would (exit 2 or 1 on the command line).
        SaveCancelledError
            The server stopped meanwhile (the partial file is removed).
        """
        from clusteranim.pipeline import render

        if output_format not in SAVE_FORMATS:
            raise ValueError(f"unknown format {output_format!r}; expected one of: {', '.join(SAVE_FORMATS)}")
        with self.lock:
            overrides = dict(self.overrides)
        scenario = load_scenario(self.path, overrides)
        layers = scenario.drawn_style.layers
        shown = [layer for layer in layers if layer.plugin_name() not in hidden]
        if not shown:
            raise ValueError("every layer is hidden: show one to save")
        if len(shown) < len(layers):
            overrides["style.layers"] = [
                {"name": layer.plugin_name(), **layer.model_dump(mode="json", exclude_defaults=True)}
                for layer in shown
            ]
        names = sorted({layer.plugin_name() for layer in shown})
        overrides["output.toggle_layers"] = names if output_format == "html" else []

        def cancelled(done: int, total: int) -> None:
            if self.stopped.is_set():
                raise SaveCancelledError("the server stopped")

        output = Path(scenario.output.path)
        with self.save_lock:
            number = 1
            while True:
                target = output.parent / f"{output.stem}-live-{number}{SAVE_FORMATS[output_format]}"
                if not target.exists():
                    break
                number += 1
            # Drawn here, not by worker processes: forking this threaded server is not safe.
            render(self.path, output=target, format=output_format, jobs=1, progress=cancelled, **overrides)
            self.saved.append(target)
        saved: Path = target
        return saved


class LiveServer(ThreadingHTTPServer):
    """The page's server: 127.0.0.1 only, one session, one token."""

    daemon_threads = True

    def server_close(self) -> None:
        super().server_close()
        self.session.close()

    def __init__(self, session: Session, port: int = 0) -> None:
        self.session = session
        self.token = secrets.token_urlsafe(24)
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/?token={self.token}"

    def allowed_hosts(self) -> set[str]:
        return {f"127.0.0.1:{self.port}", f"localhost:{self.port}"}


class Handler(BaseHTTPRequestHandler):
    """Answers the page; refuses any request without the token, the right Host, or from
    another origin."""

    server: LiveServer
    #: Seconds a connection may stay silent (a body shorter than it said, say).
    timeout = 15

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows the URL and errors only."""

    # ------------------------------------------------------------------ checks

    def _refusal(self) -> str | None:
        server = self.server
        if self.headers.get("Host", "") not in server.allowed_hosts():
            return "wrong Host header"
        origin = self.headers.get("Origin")
        if origin is not None and origin.removeprefix("http://") not in server.allowed_hosts():
            return "foreign origin"
        query = parse_qs(urlsplit(self.path).query)
        given = self.headers.get(TOKEN_HEADER) or (query.get("token") or [""])[0]
        if not hmac.compare_digest(given.encode(), server.token.encode()):
            return "missing or wrong token"
        return None

    def _send(
        self, status: HTTPStatus, body: bytes, content_type: str, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _json(self, value: Any, status: HTTPStatus = HTTPStatus.OK) -> None:
        self._send(status, json.dumps(value).encode(), "application/json")

    # ------------------------------------------------------------------ routes

    def do_GET(self) -> None:
        if urlsplit(self.path).path == "/favicon.ico":  # asked by browsers, without the token
            self._send(HTTPStatus.NO_CONTENT, b"", "text/plain")
            return
        refusal = self._refusal()
        if refusal is not None:
            self._send(HTTPStatus.FORBIDDEN, refusal.encode(), "text/plain; charset=utf-8")
            return
        session = self.server.session
        route = urlsplit(self.path).path
        if route == "/":
            page = resources.files("clusteranim").joinpath("live.html").read_text(encoding="utf-8")
            page = page.replace("__TOKEN__", self.server.token)
            self._send(
                HTTPStatus.OK,
                page.encode(),
                "text/html; charset=utf-8",
                {"Content-Security-Policy": PAGE_POLICY},
            )
        elif route == "/api/state":
            self._json(session.state())
        elif route.startswith("/api/frame/"):
            numbers = FRAME_ROUTE.fullmatch(route.removeprefix("/api/frame/"))
            pieces = None if numbers is None else session.pieces(int(numbers[1]), int(numbers[2]))
            if pieces is None:
                self._send(HTTPStatus.NOT_FOUND, b"no such frame", "text/plain")
            else:
                self._json({"parts": [_piece_json(piece) for piece in pieces]})
        elif route.startswith("/frame/"):
            numbers = FRAME_ROUTE.fullmatch(route.removeprefix("/frame/").removesuffix(".png"))
            frame = None if numbers is None else session.frame(int(numbers[1]), int(numbers[2]))
            if frame is None:
                self._send(HTTPStatus.NOT_FOUND, b"no such frame", "text/plain")
            else:
                self._send(HTTPStatus.OK, frame, "image/png")
        elif route == "/scenario.yaml":
            self._send(
                HTTPStatus.OK,
                session.scenario_yaml().encode(),
                "application/x-yaml",
                {"Content-Disposition": f'attachment; filename="{session.path.stem}.yaml"'},
            )
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")

    def do_POST(self) -> None:
        refusal = self._refusal()
        if refusal is not None:
            self._send(HTTPStatus.FORBIDDEN, refusal.encode(), "text/plain; charset=utf-8")
            return
        text = self.headers.get("Content-Length") or "0"
        length = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else -1
        if length < 0:
            self._json({"error": "Content-Length: expected a number of bytes"}, HTTPStatus.BAD_REQUEST)
            return
        if length > MAX_BODY:
            self._send(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, b"too large", "text/plain")
            return
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except (ValueError, RecursionError):
            body = None
        if not isinstance(body, dict):
            self._json({"error": "expected a JSON object"}, HTTPStatus.BAD_REQUEST)
            return
        overrides = body.get("overrides") or {}
        if not isinstance(overrides, dict):
            self._json({"error": "overrides: expected an object of key: value"}, HTTPStatus.BAD_REQUEST)
            return
        session = self.server.session
        actions: dict[str, Callable[[], str | None]] = {
            "/api/set": lambda: session.change(overrides),
            "/api/new-data": lambda: session.reseed("data.seed"),
            "/api/new-start": lambda: session.reseed("algorithm.seed"),
        }
        route = urlsplit(self.path).path
        if route in actions:
            self._json({"error": actions[route]()})
        elif route == "/api/save":
            try:
                hidden = body.get("hidden") or []
                if not isinstance(hidden, list) or not all(isinstance(name, str) for name in hidden):
                    raise ValueError("hidden: expected a list of layer names")
                saved = session.save(str(body.get("format", "")), hidden)
            except (ClusteranimError, ValueError, SaveCancelledError) as error:
                self._json({"error": str(error)})
            else:
                self._json({"error": None, "path": str(saved)})
        else:
            self._send(HTTPStatus.NOT_FOUND, b"not found", "text/plain")


def _piece_json(piece: Piece) -> dict[str, Any] | None:
    if piece is None:
        return None
    top, left, data = piece
    return {"x": left, "y": top, "src": "data:image/png;base64," + base64.b64encode(data).decode("ascii")}


#: The terminal menu's keys for the save formats.
FORMAT_KEYS = {"g": "gif", "m": "mp4", "w": "webm", "h": "html", "f": "frames"}
MENU = "keys: d new data, c new start, s save, q quit"


def key_menu(server: LiveServer, read_key: Callable[[], str], say: Callable[[str], None]) -> None:
    """The terminal's single-key menu, until ``q`` (or the end of input): ``d`` new data,
    ``c`` a new start, ``s`` save (the next key chooses the format), ``q`` quit (stops the
    server)."""
    session = server.session
    say(MENU)
    while True:
        key = read_key()
        if key in ("q", "", "\x03", "\x04"):  # q, end of input, Ctrl-C, Ctrl-D
            server.shutdown()
            return
        if key == "d":
            say(session.reseed("data.seed") or f"new data (data.seed {session.overrides['data.seed']})")
        elif key == "c":
            say(
                session.reseed("algorithm.seed")
                or f"new start (algorithm.seed {session.overrides['algorithm.seed']})"
            )
        elif key == "s":
            say("save as: " + ", ".join(f"{letter} {name}" for letter, name in FORMAT_KEYS.items()) + "?")
            chosen = FORMAT_KEYS.get(read_key())
            if chosen is None:
                say("not saved")
                continue
            try:
                say(f"saved {session.save(chosen)}")
            except (ClusteranimError, ValueError, SaveCancelledError) as error:
                say(str(error))
        elif key.strip():
            say(MENU)


def serve(path: Path, overrides: dict[str, Any], port: int = 0) -> LiveServer:
    """A server for the scenario at ``path``, its first version being drawn (call
    ``serve_forever`` on it; ``shutdown`` stops it)."""
    session = Session(path, overrides)
    server = LiveServer(session, port)
    session.start()
    session.watch()
    return server
