"""Live mode's server: the token, Host and Origin checks, frames as they are drawn, changes
checked by the loader, new data and a new start, saving under an unused name."""

from __future__ import annotations

import base64
import http.client
import io
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from PIL import Image

from clusteranim.drawing import build_scene, schedule_of
from clusteranim.live import TOKEN_HEADER, LiveServer, serve
from clusteranim.pipeline import load_data, render, run
from clusteranim.scene.base import Frame
from clusteranim.scene.parts import compose

SCENARIO = {
    "seed": 3,
    "data": {"generator": "blobs", "n_samples": 120, "centers": 3},
    "algorithm": {"name": "kmeans", "k": 3, "max_iter": 5},
    "style": {"width": 240, "height": 180, "layers": ["points", "centroids", "title"]},
    "output": {"path": "out/anim.gif", "fps": 5},
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    path = tmp_path / "scenario.yaml"
    document = dict(SCENARIO, output={**SCENARIO["output"], "path": str(tmp_path / "out" / "anim.gif")})
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    live = serve(path, {})
    thread = threading.Thread(target=live.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    yield live
    began = time.perf_counter()
    live.shutdown()
    live.server_close()
    assert time.perf_counter() - began < 1.0  # stops within a second


def request(
    live: LiveServer, method: str, route: str, body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", live.port, timeout=30)
    sent = {"Host": f"127.0.0.1:{live.port}", TOKEN_HEADER: live.token, **(headers or {})}
    connection.request(method, route, None if body is None else json.dumps(body), sent)
    answer = connection.getresponse()
    return answer.status, answer.read()


def state(live: LiveServer, done: bool = True) -> dict[str, Any]:
    deadline = time.perf_counter() + 60
    while True:
        status, body = request(live, "GET", "/api/state")
        assert status == 200
        found: dict[str, Any] = json.loads(body)
        if found["done"] or not done or time.perf_counter() > deadline:
            return found
        time.sleep(0.05)


def control(found: dict[str, Any], key: str) -> Any:
    return next(item["value"] for item in found["controls"] if item["key"] == key)


def test_refuses_requests_without_the_token_or_from_elsewhere(server: LiveServer) -> None:
    assert request(server, "GET", "/api/state")[0] == 200
    assert request(server, "GET", "/api/state", headers={TOKEN_HEADER: ""})[0] == 403
    assert request(server, "GET", "/api/state", headers={TOKEN_HEADER: "x" + server.token})[0] == 403
    assert request(server, "GET", "/api/state", headers={"Host": f"evil.example:{server.port}"})[0] == 403
    assert request(server, "GET", "/api/state", headers={"Origin": "http://evil.example"})[0] == 403
    assert request(server, "POST", "/api/new-data", {}, headers={TOKEN_HEADER: ""})[0] == 403
    status, page = request(server, "GET", f"/?token={server.token}", headers={TOKEN_HEADER: ""})
    assert status == 200 and server.token.encode() in page and b"New data" in page
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request("GET", f"/?token={server.token}", headers={"Host": f"127.0.0.1:{server.port}"})
    policy = connection.getresponse().getheader("Content-Security-Policy") or ""
    assert "default-src 'none'" in policy and "connect-src 'self'" in policy
    assert server.server_address[0] == "127.0.0.1"


def test_frames_are_served_as_they_are_drawn(server: LiveServer) -> None:
    found = state(server)
    assert found["error"] is None and found["frames"] == found["total"] > 1
    status, png = request(server, "GET", f"/frame/{found['generation']}/0.png")
    assert status == 200 and png.startswith(b"\x89PNG")
    assert request(server, "GET", f"/frame/{found['generation']}/{found['frames']}.png")[0] == 404
    assert request(server, "GET", f"/frame/{found['generation'] + 1}/0.png")[0] == 404
    assert {item["key"] for item in found["controls"]} >= {"algorithm.k", "seed", "data.n_samples"}


def decode(source: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGBA"))


def test_each_frame_comes_as_its_layers_apart(server: LiveServer) -> None:
    """The page lays a frame's layers over each other itself, so that it can hide any of
    them without the server drawing again: the layers laid over each other are the frame."""
    found = state(server)
    layers = ["points", "centroids", "title"]
    assert [part["toggle"] for part in found["parts"]] == ["", *layers, ""]
    assert [part["label"] for part in found["parts"]][1:-1] == ["points", "centroids", "title"]
    last = found["frames"] - 1
    status, body = request(server, "GET", f"/api/frame/{found['generation']}/{last}")
    assert status == 200
    pieces = json.loads(body)["parts"]
    assert len(pieces) == len(found["parts"])
    base = decode(pieces[0]["src"])
    assert (base[:, :, 3] == 255).all() and (pieces[0]["x"], pieces[0]["y"]) == (0, 0)
    placed = [base]
    for piece in pieces[1:]:
        layer = np.zeros_like(base)
        if piece is not None:
            box = decode(piece["src"])
            layer[piece["y"] : piece["y"] + box.shape[0], piece["x"] : piece["x"] + box.shape[1]] = box
            assert box.shape[0] * box.shape[1] < base.shape[0] * base.shape[1]  # just what it draws
        placed.append(layer)
    frame = decode(
        "," + base64.b64encode(request(server, "GET", f"/frame/{found['generation']}/{last}.png")[1]).decode()
    )
    assert np.array_equal(compose(placed), frame)
    # The frame drawn whole, as render draws it, to within rounding.
    scenario = server.session.scenario
    assert scenario is not None
    dataset = load_data(scenario)
    trace = run(scenario, dataset)
    whole = build_scene(scenario, trace, dataset).draw(Frame.of(trace, schedule_of(scenario, trace)[last]))
    assert np.abs(frame.astype(int) - whole).max() <= 6
    assert request(server, "GET", f"/api/frame/{found['generation']}/{found['frames']}")[0] == 404
    assert request(server, "GET", f"/api/frame/{found['generation']}/x")[0] == 404


def test_saving_leaves_out_the_layers_the_page_hides(server: LiveServer, tmp_path: Path) -> None:
    state(server)
    status, body = request(server, "POST", "/api/save", {"format": "gif", "hidden": ["points"]})
    assert status == 200
    saved = Path(json.loads(body)["path"])
    expected = tmp_path / "expected.gif"
    render(server.session.path, output=expected, **{"style.layers": ["centroids", "title"]})
    assert saved.read_bytes() == expected.read_bytes()
    # An HTML player gets a switch for each layer shown.
    body = request(server, "POST", "/api/save", {"format": "html", "hidden": ["title"]})[1]
    page = Path(json.loads(body)["path"]).read_text(encoding="utf-8")
    assert '"toggles":[{"name":"points","label":"points"},{"name":"centroids","label":"centroids"}]' in page
    for hidden, message in (
        (["points", "centroids", "title", "legend"], "every layer is hidden: show one to save"),
        ("points", "hidden: expected a list of layer names"),
    ):
        body = request(server, "POST", "/api/save", {"format": "gif", "hidden": hidden})[1]
        assert json.loads(body)["error"] == message


def test_changes_go_through_the_loader(server: LiveServer) -> None:
    first = state(server)
    status, body = request(server, "POST", "/api/set", {"overrides": {"algorithm.k": 5}})
    assert status == 200 and json.loads(body) == {"error": None}
    changed = state(server)
    assert changed["generation"] > first["generation"] and control(changed, "algorithm.k") == 5
    # A value the loader refuses: its line, and nothing changes.
    status, body = request(server, "POST", "/api/set", {"overrides": {"algorithm.normalize": "log"}})
    assert "algorithm.normalize" in json.loads(body)["error"]
    assert state(server)["generation"] == changed["generation"]
    # A k beyond the points: the render's own message, not a hang.
    request(server, "POST", "/api/set", {"overrides": {"algorithm.k": 10**9}})
    assert "algorithm.k: must be at most the number of points (120), got 1000000000" in state(server)["error"]
    request(server, "POST", "/api/set", {"overrides": {"algorithm.k": 4}})
    assert state(server)["error"] is None
    assert "k: 4" in request(server, "GET", "/scenario.yaml")[1].decode()


def test_new_data_and_new_start_draw_again(server: LiveServer) -> None:
    before = state(server)
    frame = request(server, "GET", f"/frame/{before['generation']}/0.png")[1]
    request(server, "POST", "/api/new-data", {})
    after = state(server)
    assert after["overrides"] == {"data.seed": 4}
    assert request(server, "GET", f"/frame/{after['generation']}/0.png")[1] != frame
    request(server, "POST", "/api/new-start", {})
    assert state(server)["overrides"] == {"data.seed": 4, "algorithm.seed": 4}


def test_save_writes_an_unused_name_in_the_output_folder(server: LiveServer, tmp_path: Path) -> None:
    state(server)
    paths = []
    for _ in range(2):
        status, body = request(server, "POST", "/api/save", {"format": "gif"})
        answer = json.loads(body)
        assert status == 200 and answer["error"] is None
        paths.append(Path(answer["path"]))
    assert paths == [tmp_path / "out" / "anim-live-1.gif", tmp_path / "out" / "anim-live-2.gif"]
    assert all(path.read_bytes().startswith(b"GIF89a") for path in paths)
    assert (
        "unknown format" in json.loads(request(server, "POST", "/api/save", {"format": "../x"})[1])["error"]
    )


def test_the_command_refuses_a_bad_scenario_and_a_busy_port_and_stops_on_ctrl_c(
    tmp_path: Path, server: LiveServer
) -> None:
    import signal
    import subprocess
    import sys

    bad = tmp_path / "bad.yaml"
    bad.write_text("algorithm: {k: 0}\n", encoding="utf-8")
    command = [sys.executable, "-m", "clusteranim", "live", "--no-browser"]
    done = subprocess.run([*command, str(bad)], capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stderr.strip()) == (2, f"{bad}:1: algorithm.k: must be >= 1, got 0")
    good = tmp_path / "scenario.yaml"
    busy = [*command, "--port", str(server.port), str(good)]
    done = subprocess.run(busy, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert done.stderr.strip() == f"--port {server.port}: cannot listen on 127.0.0.1: Address already in use"
    running = subprocess.Popen(
        [*command, str(good)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert running.stdout is not None and "?token=" in running.stdout.readline()
    began = time.perf_counter()
    running.send_signal(signal.SIGINT)
    running.wait(timeout=10)
    assert time.perf_counter() - began < 2.0  # the server stops at once; the interpreter then exits


def test_editing_the_file_draws_it_again(server: LiveServer) -> None:
    first = state(server)
    path = server.session.path
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["algorithm"]["k"] = 2
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    deadline = time.perf_counter() + 10
    while state(server, done=False)["generation"] == first["generation"] and time.perf_counter() < deadline:
        time.sleep(0.1)
    again = state(server)
    assert again["generation"] > first["generation"] and control(again, "algorithm.k") == 2
    # A broken file: its line in the page; the controls stay those of the last good one.
    path.write_text("algorithm: {k: -1}\n", encoding="utf-8")
    deadline = time.perf_counter() + 10
    while state(server, done=False)["error"] is None and time.perf_counter() < deadline:
        time.sleep(0.1)
    assert state(server)["error"].endswith("algorithm.k: must be >= 1, got -1")
    assert control(state(server), "algorithm.k") == 2


def test_the_terminal_menu_of_single_keys(tmp_path: Path) -> None:
    """In a terminal (a pseudo-terminal here): d, c, s then g, q."""
    import os
    import pty
    import subprocess
    import sys

    path = tmp_path / "scenario.yaml"
    document = dict(SCENARIO, output={**SCENARIO["output"], "path": str(tmp_path / "out" / "anim.gif")})
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    leader, follower = pty.openpty()
    running = subprocess.Popen(
        [sys.executable, "-m", "clusteranim", "live", "--no-browser", str(path)],
        stdin=follower,
        stdout=follower,
        stderr=follower,
    )
    os.close(follower)
    seen = ""

    def until(text: str) -> None:
        nonlocal seen
        deadline = time.perf_counter() + 60
        while text not in seen:
            assert time.perf_counter() < deadline, seen
            seen += os.read(leader, 4096).decode(errors="replace")

    try:
        until("keys: d new data, c new start, s save, q quit")
        os.write(leader, b"d")
        until("new data (data.seed 4)")
        os.write(leader, b"c")
        until("new start (algorithm.seed 4)")
        os.write(leader, b"sg")
        until(f"saved {tmp_path / 'out' / 'anim-live-1.gif'}")
        os.write(leader, b"q")
        code = running.wait(timeout=20)
        try:
            while chunk := os.read(leader, 4096):  # what it printed on the way out
                seen += chunk.decode(errors="replace")
        except OSError:  # the terminal closed with the process
            pass
        assert code == 0, seen[-2000:]
    finally:
        running.kill()
        os.close(leader)
    assert (tmp_path / "out" / "anim-live-1.gif").read_bytes().startswith(b"GIF89a")
    assert yaml.safe_load(path.read_text(encoding="utf-8")) == document  # the file is never written


def test_the_command_types_its_set_values_as_render_does(tmp_path: Path) -> None:
    import subprocess
    import sys
    from urllib.parse import urlsplit

    path = tmp_path / "scenario.yaml"
    document = dict(SCENARIO, output={**SCENARIO["output"], "path": str(tmp_path / "out" / "anim.gif")})
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    command = [sys.executable, "-m", "clusteranim", "live", "--no-browser", str(path)]
    refused = subprocess.run(
        [*command, "--set", "algorithm.k=1000000000"], capture_output=True, text=True, timeout=60, check=False
    )
    assert refused.returncode == 2  # as render refuses it, k beyond the points included
    assert "algorithm.k: must be at most the number of points (120), got 1000000000" in refused.stderr
    running = subprocess.Popen(
        [*command, "--set", "algorithm.k=5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert running.stdout is not None
        url = urlsplit(running.stdout.readline().split()[2])
        connection = http.client.HTTPConnection("127.0.0.1", url.port, timeout=30)
        deadline = time.perf_counter() + 60
        while True:
            connection.request("GET", f"/api/state?{url.query}", headers={"Host": url.netloc})
            found = json.loads(connection.getresponse().read())
            if found["done"] or time.perf_counter() > deadline:
                break
            time.sleep(0.05)
        assert found["error"] is None and found["frames"] > 0
        assert found["overrides"] == {"algorithm.k": 5} and control(found, "algorithm.k") == 5
    finally:
        running.terminate()
        running.wait(timeout=10)


def test_malformed_requests_are_refused_and_the_server_goes_on(server: LiveServer) -> None:
    import socket

    for route in (
        b"/api/frame/\xb2/0",
        b"/frame/1/\xb9.png",
        b"/api/frame/" + b"9" * 5000 + b"/0",
        b"/api/frame/1/-1",
    ):
        with socket.create_connection(("127.0.0.1", server.port), timeout=30) as raw:
            head = f"Host: 127.0.0.1:{server.port}\r\n{TOKEN_HEADER}: {server.token}\r\n\r\n".encode()
            raw.sendall(b"GET " + route + b" HTTP/1.1\r\n" + head)
            assert raw.recv(100).startswith(b"HTTP/1.0 404"), route
    for body in ({"overrides": [1, 2]}, {"overrides": "x"}):
        assert request(server, "POST", "/api/set", body)[0] == 400
    deep = "[" * 10_000 + "]" * 10_000
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    connection.request(
        "POST", "/api/set", deep, {"Host": f"127.0.0.1:{server.port}", TOKEN_HEADER: server.token}
    )
    assert connection.getresponse().status == 400
    for length in ("abc", "-1"):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
        connection.putrequest("POST", "/api/set", skip_host=True)
        for name, value in (("Host", f"127.0.0.1:{server.port}"), (TOKEN_HEADER, server.token)):
            connection.putheader(name, value)
        connection.putheader("Content-Length", length)
        connection.endheaders()
        assert connection.getresponse().status == 400, length
    # Only the page's keys change; a path never comes from the client.
    answer = json.loads(request(server, "POST", "/api/set", {"overrides": {"output.path": "/tmp/x.gif"}})[1])
    assert answer["error"].startswith("output.path: not a key the page changes")
    assert state(server)["error"] is None


def test_a_change_that_cannot_run_keeps_the_last_good_version(server: LiveServer) -> None:
    good = state(server)
    request(server, "POST", "/api/set", {"overrides": {"algorithm.k": 1000}})  # more than the points
    after = state(server)
    assert "algorithm.k: must be at most the number of points (120), got 1000" in after["error"]
    assert after["frames"] == good["frames"] and after["overrides"] == {}  # undone
    assert control(after, "algorithm.k") == 3
    request(server, "POST", "/api/set", {"overrides": {"algorithm.k": 2}})
    assert state(server)["error"] is None


def test_switching_algorithm_keeps_what_the_new_one_shares(server: LiveServer) -> None:
    state(server)
    answer = json.loads(request(server, "POST", "/api/set", {"overrides": {"algorithm.name": "dbscan"}})[1])
    assert answer["error"] is None
    found = state(server)
    assert found["error"] is None and control(found, "algorithm.name") == "dbscan"
    # The file's centroids layer: DBSCAN has no centres, so the page leaves it out.
    assert [part["toggle"] for part in found["parts"]] == ["", "points", "title", ""]
    assert {item["key"] for item in found["controls"]} >= {"algorithm.eps", "algorithm.min_samples"}
    request(server, "POST", "/api/set", {"overrides": {"algorithm.name": "gmm"}})
    found = state(server)
    assert found["error"] is None and control(found, "algorithm.k") is not None
    # The file's layers again: GMM has centres.
    assert [part["toggle"] for part in found["parts"]] == ["", "points", "centroids", "title", ""]


def test_saves_at_once_get_names_of_their_own(server: LiveServer, tmp_path: Path) -> None:
    state(server)
    answers: list[dict[str, Any]] = []

    def save() -> None:
        answers.append(json.loads(request(server, "POST", "/api/save", {"format": "gif"})[1]))

    threads = [threading.Thread(target=save) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    paths = sorted(answer["path"] for answer in answers)
    assert len(set(paths)) == 3 and all(Path(path).is_file() for path in paths)


def test_stopping_during_a_save_leaves_no_partial_file(tmp_path: Path) -> None:
    from clusteranim.live import SaveCancelledError, Session

    path = tmp_path / "scenario.yaml"
    long = dict(SCENARIO, output={"path": str(tmp_path / "out" / "anim.gif"), "fps": 5, "tween": 100})
    path.write_text(yaml.safe_dump(long), encoding="utf-8")
    session = Session(path)
    failures: list[BaseException] = []

    def save() -> None:
        try:
            session.save("gif")
        except BaseException as error:
            failures.append(error)

    thread = threading.Thread(target=save)
    thread.start()
    deadline = time.perf_counter() + 30
    while not list((tmp_path / "out").glob(".*.part")) and time.perf_counter() < deadline:
        time.sleep(0.01)  # until the frames are being written
    session.stopped.set()
    thread.join(timeout=10)
    assert len(failures) == 1 and isinstance(failures[0], SaveCancelledError)
    assert [child.name for child in (tmp_path / "out").iterdir()] == []


def test_a_scenario_with_layer_switches_saves_in_every_format(tmp_path: Path) -> None:
    from clusteranim.live import Session

    path = tmp_path / "scenario.yaml"
    switched = dict(
        SCENARIO, output={"path": str(tmp_path / "out" / "anim.html"), "toggle_layers": ["points"]}
    )
    path.write_text(yaml.safe_dump(switched), encoding="utf-8")
    session = Session(path)
    assert session.save("gif").read_bytes().startswith(b"GIF89a")
    assert session.save("frames").is_dir()
    assert '"toggles":[{"name":"points"' in session.save("html").read_text(encoding="utf-8")
