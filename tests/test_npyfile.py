"""Safe reading of .npz archives: every member checked by name, kind and size before its data is read."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from clusteranim.npyfile import ArrayFileError, ArrayKind, TooManyRowsError, read_npz
from tests.conftest import without_opening

NUMBERS = ArrayKind("iuf", (1, 2), "a 1-D or 2-D array of numbers")
LABELS = ArrayKind("iufbUS", (1,), "a 1-D array of labels (numbers or strings)")
KINDS = {"X": NUMBERS, "labels": LABELS}
MiB = 1 << 20


def read(path: Path, kinds: dict[str, ArrayKind] = KINDS, **limits: int) -> dict[str, np.ndarray]:
    limits = {"max_rows": 1_000, "max_row_bytes": MiB, "max_total_bytes": 64 * MiB} | limits
    return read_npz(path, path.name, kinds, **limits)


def refusal(path: Path, kinds: dict[str, ArrayKind] = KINDS, **limits: int) -> str:
    with pytest.raises(ArrayFileError) as caught:
        read(path, kinds, **limits)
    message = str(caught.value)
    assert "\n" not in message
    return message


def npy_header(shape: tuple[int, ...], descr: str = "<f8") -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": descr, "fortran_order": False, "shape": shape})
    return header.getvalue()


def test_every_array_of_a_good_archive_is_read(tmp_path: Path, rng: np.random.Generator) -> None:
    path = tmp_path / "trace.npz"
    X = rng.normal(size=(100, 3))
    labels = np.array(["a", "b"] * 50)
    np.savez_compressed(path, X=X, labels=labels)
    arrays = read(path)
    assert list(arrays) == ["X", "labels"]
    np.testing.assert_array_equal(arrays["X"], X)
    np.testing.assert_array_equal(arrays["labels"], labels)
    # A name of ``kinds`` the archive lacks is simply absent.
    np.savez(path, X=X)
    assert list(read(path)) == ["X"]


def test_a_scalar_array_has_no_rows_to_count(tmp_path: Path) -> None:
    path = tmp_path / "trace.npz"
    np.savez(path, n_iter=np.int64(7), algorithm=np.str_("kmeans"))
    kinds = {"n_iter": ArrayKind("iu", (0,), "an integer"), "algorithm": ArrayKind("U", (0,), "a string")}
    arrays = read(path, kinds, max_rows=0, max_row_bytes=64)
    assert (arrays["n_iter"].shape, int(arrays["n_iter"])) == ((), 7)
    assert str(arrays["algorithm"]) == "kmeans"
    assert refusal(path, {**kinds, "n_iter": NUMBERS}) == (
        "trace.npz (array 'n_iter'): expected a 1-D or 2-D array of numbers, got int64 of shape ()"
    )


def test_an_unknown_array_is_named_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "trace.npz"
    np.savez(path, X=np.ones((3, 2)), lables=np.zeros(3))
    assert refusal(path) == "trace.npz: holds an unknown array 'lables'; did you mean 'labels'?"
    np.savez(path, X=np.ones((3, 2)), weights=np.zeros(3))
    assert refusal(path) == "trace.npz: holds an unknown array 'weights'; expected one of: X, labels"


def test_an_array_held_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "trace.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("X.npy", npy_header((1, 2)) + bytes(16))
        archive.writestr("X", npy_header((1, 2)) + bytes(16))
    assert refusal(path) == "trace.npz: holds the array 'X' twice"


def unpickled() -> None:
    UNPICKLED.append(True)


UNPICKLED: list[bool] = []


class Trap:
    """An object that, if ever unpickled, says so."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (unpickled, ())


def test_a_pickled_array_is_never_unpickled(tmp_path: Path) -> None:
    path = tmp_path / "trace.npz"
    np.savez(path, X=np.ones((3, 2)), labels=np.array([Trap(), Trap()], dtype=object))
    assert refusal(path) == (
        "trace.npz (array 'labels'): holds Python objects (a pickle); clusteranim reads only numeric arrays"
    )
    assert not UNPICKLED


def test_a_huge_shape_in_a_few_bytes_is_refused_before_decompression(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "trace.npz"
    # The header declares 16 GB; the member (deflated) is the header and 16 bytes.
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("X.npy", npy_header((1_000_000_000, 2)) + bytes(16))
    assert refusal(path, max_rows=2_000_000_000) == (
        "trace.npz (array 'X'): its header describes float64 of shape (1000000000, 2)"
        " (16,000,000,000 bytes) but 16 bytes follow it"
    )
    # The zip directory declares 4 GB for the same few bytes: refused from the directory alone.
    raw = bytearray(path.read_bytes())
    declared = (4_000_000_128).to_bytes(4, "little")
    raw[22:26] = declared  # the local file header, at offset 0
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = declared
    path.write_bytes(bytes(raw))

    def never_opened(*args: object, **kwargs: object) -> None:
        pytest.fail("a member was decompressed")

    monkeypatch.setattr(zipfile.ZipFile, "open", never_opened)
    assert refusal(path, max_total_bytes=64 * MiB) == (
        "trace.npz: its arrays decompress to 4,000,000,128 bytes, more than 64 MiB (67,108,864 bytes)"
    )
    # Allowed in total, the member is still a zip bomb by its ratio.
    assert refusal(path, max_total_bytes=8 << 30).startswith(
        "trace.npz (array 'X'): decompresses to 4,000,000,128 bytes from "
    )


def test_the_total_counts_every_member(tmp_path: Path) -> None:
    path = tmp_path / "trace.npz"
    np.savez(path, X=np.ones((1_000, 64)), labels=np.zeros(1_000))
    sizes = sum(info.file_size for info in zipfile.ZipFile(path).infolist())
    assert refusal(path, max_total_bytes=sizes - 1) == (
        f"trace.npz: its arrays decompress to {sizes:,} bytes, more than {sizes - 1:,} bytes"
    )
    assert set(read(path, max_total_bytes=sizes)) == {"X", "labels"}


def test_a_broken_archive_gives_one_line(tmp_path: Path, rng: np.random.Generator) -> None:
    path = tmp_path / "trace.npz"
    np.savez_compressed(path, X=rng.normal(size=(200, 2)))
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert refusal(path) == "trace.npz: not a readable .npz (zip) file (File is not a zip file)"
    middle = len(whole) // 2
    path.write_bytes(whole[:middle] + bytes(64) + whole[middle + 64 :])
    assert refusal(path).startswith("trace.npz (array 'X'): cannot be read (")
    path.write_bytes(b"not a zip at all")
    assert refusal(path) == "trace.npz: not a readable .npz (zip) file (File is not a zip file)"


def test_only_a_regular_non_empty_file_is_opened(tmp_path: Path) -> None:
    fifo = tmp_path / "trace.npz"
    os.mkfifo(fifo)
    message = without_opening(fifo, lambda: refusal(fifo))
    assert message == "trace.npz: is a named pipe (FIFO), not an .npz archive"
    assert refusal(tmp_path) == f"{tmp_path.name}: is a directory, not an .npz archive"
    assert refusal(tmp_path / "missing.npz") == "no such file: missing.npz"
    (tmp_path / "empty.npz").touch()
    assert refusal(tmp_path / "empty.npz") == "empty.npz: is empty"


def test_row_limits_are_the_callers(tmp_path: Path) -> None:
    path = tmp_path / "trace.npz"
    np.savez(path, X=np.ones((10, 3)))
    assert read(path, max_rows=10)["X"].shape == (10, 3)
    with pytest.raises(TooManyRowsError) as caught:
        read(path, max_rows=9)
    assert str(caught.value) == "trace.npz (array 'X'): more than 9 rows"
    assert (caught.value.where, caught.value.max_rows) == ("trace.npz (array 'X')", 9)
    assert refusal(path, max_row_bytes=16) == (
        "trace.npz (array 'X'): each row is 24 bytes, longer than 16 bytes"
    )
    # Rows of many MB (a trace's (T+1, n) arrays) when the caller allows them.
    np.savez(path, X=np.zeros((3, 400_000)))
    assert refusal(path) == (
        "trace.npz (array 'X'): each row is 3,200,000 bytes, longer than 1 MiB (1,048,576 bytes)"
    )
    assert read(path, max_row_bytes=4 * MiB)["X"].shape == (3, 400_000)
