"""Run every benchmark and print its figures (``make bench``)."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gif_size
import kmeans_step


def main() -> None:
    print(f"# {platform.processor() or platform.machine()}, Python {platform.python_version()}")
    for benchmark in (kmeans_step, gif_size):
        print(f"## {benchmark.__name__}")
        print(json.dumps(benchmark.main(), indent=2))


if __name__ == "__main__":
    main()
