"""``python -m clusteranim``."""

from clusteranim.cli import main

main()
