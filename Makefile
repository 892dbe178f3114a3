# make render:  set up .venv and render every scenario in configs/ into out/
# make test:    set up .venv and run the whole test suite
# make gallery: render every scenario into docs/gallery/ (GIF + PNG of the last frame)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SCENARIOS := $(wildcard configs/*.yaml)

.PHONY: all render test lint bench gallery clean

all: render

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	$(BIN)/python -m compileall -q clusteranim
	touch $(STAMP)

render: $(STAMP)
	@for scenario in $(SCENARIOS); do \
		$(BIN)/clusteranim render "$$scenario" || exit 1; \
	done

# The HTML player's browser test drives Debian's chromium (Playwright, no browser download).
CHROMIUM := /usr/bin/chromium

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
		echo "note: install Debian's chromium (apt-get install chromium) to run the browser test"; \
	fi

test: $(STAMP) $(CHROMIUM)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check clusteranim tests benchmarks
	$(BIN)/ruff format --check clusteranim tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

# Every scenario as a GIF and a PNG of its last frame, for the README.
gallery: $(STAMP)
	@mkdir -p docs/gallery
	@for scenario in $(SCENARIOS); do \
		name=$$(basename "$$scenario" .yaml); \
		$(BIN)/clusteranim render "$$scenario" -o "docs/gallery/$$name.gif" --poster "docs/gallery/$$name.png" || exit 1; \
	done

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bench]'
	$(BIN)/python -m compileall -q clusteranim
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) out build *.egg-info .pytest_cache .mypy_cache .ruff_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
