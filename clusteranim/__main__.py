"""``python -m clusteranim``."""

from clusteranim.cli import run

run()
