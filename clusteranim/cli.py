"""The command line: parse, call one library function, map exceptions to exit codes.

Heavy modules are imported inside the commands so that ``--help`` stays instant.
Options default to None so that they never override the scenario file silently.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import math
import sys
import traceback
from collections.abc import Callable, Generator, Iterator
from typing import Any, TypeVar

import click

from clusteranim import __version__
from clusteranim.errors import EXIT_INTERRUPTED, EXIT_TERMINATED, ClusteranimError, Terminated
from clusteranim.signals import catch_signals, check_signals, restore_signals

F = TypeVar("F", bound=Callable[..., Any])

#: The starters ``init`` writes (those of clusteranim.starter.STARTERS, named here so that
#: ``--help`` need not import it).
STARTER_NAMES = [
    "kmeans",
    "gmm",
    "fuzzy_cmeans",
    "kmedoids",
    "minibatch_kmeans",
    "mean_shift",
    "dbscan",
    "agglomerative",
]


def _reporting(command: F) -> F:
    """Run ``command``; report our errors in one or a few lines, with their exit code."""

    @click.option("--debug", is_flag=True, help="Show the traceback of any error.")
    @functools.wraps(command)
    def wrapper(*args: Any, debug: bool, **kwargs: Any) -> Any:
        # SIGTERM unwinds like Ctrl-C, so that partial output is removed on the way out.
        previous = catch_signals()
        try:
            return command(*args, **kwargs)
        except Terminated:
            click.echo("clusteranim: terminated", err=True)
            sys.exit(EXIT_TERMINATED)
        except ClusteranimError as error:
            if debug:
                traceback.print_exc()
            click.echo(str(error), err=True)
            sys.exit(error.exit_code)
        except KeyboardInterrupt:
            click.echo("clusteranim: interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as error:  # a bug: one line, unless asked for the traceback
            if debug:
                traceback.print_exc()
            click.echo(
                f"clusteranim: internal error: {type(error).__name__}: {error}"
                " (run with --debug for the traceback)",
                err=True,
            )
            sys.exit(1)
        finally:
            restore_signals(previous)

    return wrapper  # type: ignore[return-value]


_set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="KEY=VALUE",
    help="Override a scenario key, e.g. --set algorithm.k=5 (the value is read as YAML).",
)


def _jobs_option(help: str) -> Callable[[F], F]:
    return click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help=help)


_scheduler_option = click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="Do the work on this Dask scheduler (local: a cluster on this machine; default:"
    " $CLUSTERANIM_SCHEDULER). Needs clusteranim[dask].",
)
_seed_option = click.option("--seed", type=int, default=None, help="Override the scenario's seed.")
_trace_option = click.option(
    "--trace",
    "trace_file",
    default=None,
    metavar="FILE",
    help="Draw this trace (.npz, from clusteranim trace or Trace.save) instead of running the algorithm.",
)


def strict_json(value: Any) -> str:
    """``value`` as strict JSON: a NaN or infinite number (a diverged objective) is null."""

    def finite(item: Any) -> Any:
        if isinstance(item, float) and not math.isfinite(item):
            return None
        if isinstance(item, dict):
            return {key: finite(entry) for key, entry in item.items()}
        if isinstance(item, (list, tuple)):
            return [finite(entry) for entry in item]
        return item

    return json.dumps(finite(value), allow_nan=False)


def run() -> None:
    """The ``clusteranim`` program (and ``python -m clusteranim``): ``main``, then exit.

    Usage errors are reported in one line, followed by the usage hint, instead of
    click's four.

    Interpreter shutdown runs a full garbage collection over every object still alive,
    and with matplotlib, numpy and pydantic loaded that is a few hundred thousand objects
    and about 0.2 s, a sixth of a short render. Freezing them first (``gc.freeze``) skips
    that collection; the objects are still released and files still closed, only
    reference cycles among them are left for the operating system to reclaim.
    """
    code: Any = 0
    try:
        code = main.main(prog_name="clusteranim", standalone_mode=False)
    except click.UsageError as error:
        path = error.ctx.command_path if error.ctx is not None else "clusteranim"
        click.echo(f"{path}: {error.format_message()}\nTry '{path} -h' for help.", err=True)
        code = error.exit_code
    except click.ClickException as error:
        error.show()
        code = error.exit_code
    except (click.exceptions.Abort, KeyboardInterrupt):  # Ctrl-C before a command took over
        click.echo("clusteranim: interrupted", err=True)
        code = EXIT_INTERRUPTED
    finally:
        gc.freeze()
    sys.exit(code if isinstance(code, int) else 0)


def _scheduler(option: str | None) -> str | None:
    """The scheduler a command uses (see ``clusteranim.cluster.scheduler_address``).

    With one, distributed's log lines (a worker restarted, a connection retried) are
    kept off the terminal: what matters reaches the user as the command's own line.
    """
    from clusteranim.cluster import scheduler_address

    address = scheduler_address(option)
    if address is not None:
        import logging

        try:
            import distributed  # noqa: F401  (it sets its loggers' levels as it loads)
        except ImportError:
            return address  # the command says how to install it
        for name in ["distributed", *logging.root.manager.loggerDict]:
            if name.startswith("distributed"):
                logging.getLogger(name).setLevel(logging.CRITICAL)
    return address


@contextlib.contextmanager
def _progress_bar(label: str, show: bool) -> Iterator[Callable[[int, int], None]]:
    """A ``progress(done, total)`` callback that raises for a signal received, and draws
    a bar on stderr when ``show``."""
    if not show:
        yield lambda done, total: check_signals()
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:

        def progress(done: int, total: int) -> None:
            check_signals()
            bar.length = total
            bar.update(done - bar.pos)

        yield progress


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="clusteranim")
def main() -> None:
    """Render animations of clustering algorithms from YAML scenarios."""


def _output_options(command: F) -> F:
    """The options that say where ``render`` writes (``validate`` checks them too)."""
    for option in reversed(
        (
            click.option(
                "-o", "--output", default=None, metavar="PATH", help="Output path (default: output.path)."
            ),
            click.option(
                "--format",
                "output_format",
                default=None,
                metavar="FMT",
                help="Output format (default: from the extension).",
            ),
            click.option(
                "--poster", default=None, metavar="FILE", help="Also write the last frame as a PNG."
            ),
            click.option(
                "--depfile",
                default=None,
                metavar="FILE",
                help="Also write a make rule: the output depends on the scenario and the data it reads.",
            ),
        )
    ):
        command = option(command)
    return command


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=True, path_type=str))
@_output_options
@_seed_option
@_set_option
@_trace_option
@_jobs_option("Worker processes drawing frames (default: one per core).")
@_scheduler_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print one JSON object describing the output on stdout."
)
@_reporting
def render(
    scenario: str,
    output: str | None,
    output_format: str | None,
    poster: str | None,
    depfile: str | None,
    seed: int | None,
    overrides: tuple[str, ...],
    trace_file: str | None,
    jobs: int | None,
    scheduler: str | None,
    quiet: bool,
    as_json: bool,
) -> None:
    """Render SCENARIO to an animation."""
    from clusteranim.pipeline import read_given_trace
    from clusteranim.pipeline import render as render_scenario
    from clusteranim.scenario import load_scenario

    given = read_given_trace(trace_file) if trace_file is not None else None
    loaded = load_scenario(
        scenario, overrides, seed=seed, output=output, output_format=output_format, poster=poster, trace=given
    )
    address = _scheduler(scheduler)
    with _progress_bar("rendering", show=not quiet and sys.stderr.isatty()) as progress:
        result = render_scenario(
            loaded, jobs=jobs, depfile=depfile, trace=given, progress=progress, scheduler=address
        )
    if as_json:
        click.echo(strict_json(result.to_dict()))
    elif not quiet:
        click.echo(
            f"wrote {result.path} ({result.format}, {result.steps} steps in {result.frames} frames,"
            f" {result.width}x{result.height}, {result.bytes:,} bytes) in {result.seconds:.2f} s"
        )


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=str))
@_jobs_option("Scenarios rendered at once (default: one per core).")
@_scheduler_option
@click.option(
    "--out-dir", default=None, metavar="DIR", help="Write every output into DIR (keeping its file name)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per scenario on stdout.")
@_reporting
def batch(
    scenarios: tuple[str, ...], jobs: int | None, scheduler: str | None, out_dir: str | None, as_json: bool
) -> None:
    """Render many SCENARIOS in parallel; go on past failures; exit 1 if any failed."""
    from clusteranim.batch import run_batch, summary_table
    from clusteranim.workers import default_jobs

    address = _scheduler(scheduler)
    with _progress_bar("rendering", show=sys.stderr.isatty()) as progress:
        items = run_batch(list(scenarios), jobs or default_jobs(), out_dir, address, progress)
    if as_json:
        for item in items:
            click.echo(strict_json(item.to_dict()))
    else:
        click.echo(summary_table(items))
        for item in items:
            if not item.ok:
                click.echo(item.error, err=True)
    if not all(item.ok for item in items):
        sys.exit(1)


@main.command()
@click.argument("path", required=False, default="scenario.yaml", type=click.Path(path_type=str))
@click.option(
    "--algorithm",
    type=click.Choice(STARTER_NAMES),
    default="kmeans",
    show_default=True,
    help="Which starter to write.",
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@_reporting
def init(path: str, algorithm: str, force: bool) -> None:
    """Write a commented starter scenario to PATH (default: scenario.yaml)."""
    from clusteranim.starter import write_starter

    write_starter(path, algorithm, force)
    click.echo(f"wrote {path}; render it with: clusteranim render {path}")


@main.command()
@click.argument("scenarios", nargs=-1, required=True, type=click.Path(path_type=str))
@_output_options
@_seed_option
@_set_option
@_trace_option
@_scheduler_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@_reporting
def validate(
    scenarios: tuple[str, ...],
    output: str | None,
    output_format: str | None,
    poster: str | None,
    depfile: str | None,
    seed: int | None,
    overrides: tuple[str, ...],
    trace_file: str | None,
    scheduler: str | None,
    quiet: bool,
) -> None:
    """Check each SCENARIO as render would, without drawing; report every problem found.

    The data is read and checked, the algorithm is run (a numerical failure shows
    there), and every path render would write is checked (with the same -o, --format,
    --poster and --depfile); a --scheduler is connected to (as render does first).
    """
    from clusteranim.cluster import check_scheduler
    from clusteranim.errors import ScenarioError
    from clusteranim.pipeline import checked_run, read_given_trace
    from clusteranim.scenario import load_scenario

    given = read_given_trace(trace_file) if trace_file is not None else None
    address = _scheduler(scheduler)
    problems = []
    for scenario in scenarios:
        try:
            loaded = load_scenario(
                scenario,
                overrides,
                seed=seed,
                output=output,
                output_format=output_format,
                poster=poster,
                trace=given,
            )
            # Where render checks it: after the scenario loads, before its data is read;
            # once.
            checking, address = address, None
            check_scheduler(checking)
            checked_run(loaded, depfile, given, trace_file)
        except ScenarioError as error:
            problems.extend(error.problems)
        else:
            if not quiet:
                click.echo(f"{scenario}: ok")
    if problems:
        raise ScenarioError(problems)


@main.command()
@click.argument("scenario", type=click.Path(path_type=str))
@click.option("-o", "--output", metavar="PATH", help="The .npz file to write (not with a sweep).")
@click.option(
    "--sweep",
    metavar="KEY=VALUES",
    help="Run once per value (algorithm.k=2,3,4 or algorithm.k=[2, 3, 4]) and print each run's"
    " quality measures instead of writing a trace; the scenario's own sweep: without it.",
)
@click.option("--json", "as_json", is_flag=True, help="With a sweep: print the table as JSON.")
@_seed_option
@_set_option
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@_reporting
def trace(
    scenario: str,
    output: str | None,
    sweep: str | None,
    as_json: bool,
    seed: int | None,
    overrides: tuple[str, ...],
    quiet: bool,
) -> None:
    """Run SCENARIO's algorithm and save every iteration as a numpy .npz archive; or, for
    a sweep, run it once per value and print the quality measures of each run."""
    from pathlib import PurePath

    from clusteranim.errors import Problem, ScenarioError
    from clusteranim.pipeline import panel_runs, prepare, quality_of, run
    from clusteranim.scenario import load_scenario
    from clusteranim.writers import atomic_path
    from clusteranim.writers.targets import Target

    loaded = load_scenario(scenario, overrides, seed=seed, sweep=_parse_sweep(sweep) if sweep else None)
    if loaded.panels:
        raise ScenarioError(
            loaded.origin.problem(
                "panels", "a trace holds one run: render the panels, or drop them to trace one run"
            )
        )
    if loaded.sweep is not None:
        if output is not None:
            raise ScenarioError(
                Problem(f"--output {output}", None, "", "a trace holds one run: with a sweep, leave out -o")
            )
        table = quality_of(loaded, panel_runs(loaded, prepare(loaded, [])))
        assert table is not None
        rows = table.rows()
        if as_json:
            click.echo(json.dumps({"key": table.key, "measures": table.keys, "rows": rows}, allow_nan=False))
        else:
            click.echo(_sweep_text(table.key, table.keys, rows))
        return
    if output is None:
        raise ScenarioError(
            Problem("trace", None, "", "-o PATH.npz is needed (or a sweep: --sweep KEY=VALUES)")
        )
    target = Target("--output", output)
    dataset = prepare(loaded, [target])  # first: an output onto an input says so
    if PurePath(output).suffix.lower() != ".npz":
        raise ScenarioError(
            Problem(f"--output {output}", None, "", "a trace is an .npz archive: name it *.npz")
        )
    recorded = run(loaded, dataset)
    with atomic_path(target.path) as temporary, temporary.open("wb") as file:
        recorded.save(file)
    if not quiet:
        from clusteranim.scene.animation import steps_shown

        steps = steps_shown(loaded.animation, len(recorded))
        click.echo(
            f"wrote {output} (trace, {len(recorded)} states, {recorded.n_clusters} clusters,"
            f" {steps} displayed steps, {target.path.stat().st_size:,} bytes)"
        )


def _parse_sweep(text: str) -> tuple[str, list[Any], str]:
    """``--sweep KEY=VALUES`` as (key, values, how messages name it); VALUES is a YAML
    list or values separated by commas, each typed as YAML types it."""
    import yaml

    from clusteranim.errors import Problem, ScenarioError
    from clusteranim.scenario import ScenarioLoader

    where = f"--sweep {text}"
    key, equals, values_text = text.partition("=")
    if not equals or not key.strip() or not values_text.strip():
        raise ScenarioError(Problem(where, None, "", "expected KEY=VALUES, e.g. --sweep algorithm.k=2,3,4,5"))
    try:
        parsed = yaml.load(values_text, Loader=ScenarioLoader)
        if not isinstance(parsed, list):
            parsed = [yaml.load(item, Loader=ScenarioLoader) for item in values_text.split(",")]
    except yaml.YAMLError as error:
        raise ScenarioError(Problem(where, None, "", f"values are not valid YAML ({error})")) from None
    return key.strip(), parsed, where


def _sweep_text(key: str, measures: list[str], rows: list[dict[str, Any]]) -> str:
    """The sweep's table as aligned text, a row per value."""
    header = [key, "n_iter", "converged", *measures]
    lines = [header]
    for row in rows:
        cells = [str(row["value"]), str(row["n_iter"]), "yes" if row["converged"] else "no"]
        cells += ["-" if row[name] is None else f"{row[name]:.6g}" for name in measures]
        lines.append(cells)
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)) for line in lines
    )


@main.command()
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=str))
@_set_option
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0, help="Port on 127.0.0.1 (default: a free one)."
)
@click.option("--no-browser", is_flag=True, help="Print the URL only; do not open a browser tab.")
@_reporting
def live(scenario: str, overrides: tuple[str, ...], port: int, no_browser: bool) -> None:
    """Play SCENARIO in a local page: change its keys, new data, a new start, save files."""
    import threading
    import webbrowser
    from pathlib import Path

    from clusteranim.errors import Problem, ScenarioError
    from clusteranim.live import key_menu, serve
    from clusteranim.pipeline import load_data, run
    from clusteranim.scenario import load_scenario
    from clusteranim.scenario.overrides import parse_overrides

    # What render would refuse (a k beyond the points too) is refused here, exit 2.
    loaded = load_scenario(scenario, overrides)
    run(loaded, load_data(loaded))
    changes = {
        ".".join(map(str, path)): value for path, value, _ in parse_overrides(overrides)
    }  # as YAML types them
    try:
        server = serve(Path(scenario), changes, port)
    except OSError as error:
        message = f"cannot listen on 127.0.0.1: {error.strerror}"
        raise ScenarioError(Problem(f"--port {port}", None, "", message)) from None
    click.echo(f"clusteranim live: {server.url}  (Ctrl-C stops it)")
    if not no_browser:
        webbrowser.open(server.url)
    with _single_keys() as read_key:
        if read_key is not None:  # a terminal: the menu of the original script
            menu = threading.Thread(target=key_menu, args=(server, read_key, click.echo), daemon=True)
            menu.start()
        try:
            server.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            click.echo("clusteranim live: stopped", err=True)
        finally:
            server.server_close()


@contextlib.contextmanager
def _single_keys() -> Generator[Callable[[], str] | None, None, None]:
    """A reader of single key presses when stdin is a terminal (set to cbreak mode, and
    restored after), else None."""
    if not sys.stdin.isatty():
        yield None
        return
    import termios
    import tty

    descriptor = sys.stdin.fileno()
    saved = termios.tcgetattr(descriptor)
    tty.setcbreak(descriptor)
    try:
        yield lambda: sys.stdin.read(1)
    finally:
        termios.tcsetattr(descriptor, termios.TCSADRAIN, saved)


@main.command()
@click.option("--indent", type=click.IntRange(0, 16), default=2, show_default=True, help="JSON indentation.")
@_reporting
def schema(indent: int) -> None:
    """Print the JSON Schema of the scenario format (for editors)."""
    from clusteranim.schema import scenario_json_schema

    click.echo(json.dumps(scenario_json_schema(), indent=indent))


@main.command(name="list")
@click.argument(
    "what",
    required=False,
    type=click.Choice(["generators", "algorithms", "layers", "formats"]),
)
@_reporting
def list_plugins(what: str | None) -> None:
    """List data generators, algorithms, layers or output formats, with their options."""
    from clusteranim.catalog import describe

    click.echo(describe(what))
