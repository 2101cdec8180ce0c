"""What the benchmark scripts share: a throwaway instance, gunicorn servers, the results table.

Every server listens on 127.0.0.1 only, on a free port, and is stopped when the run ends.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
# loadgen beside this file; consult from this working tree, whatever the environment installed.
sys.path[:0] = [str(Path(__file__).resolve().parent), str(REPOSITORY)]

import loadgen  # noqa: E402

BENCHMARKS = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
BASELINE = "baseline"


def add_load_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seconds", type=float, default=5.0, help="measuring time per page")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per server")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(port: int, path: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            loadgen.run(port, path, connections=1, seconds=0.5)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"server on port {port} did not start")


def serve(app_spec: str, port: int, workers: int, env: dict, cwd: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - fixed arguments, loopback only
        [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app_spec],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def prepare_database(instance: Path, env: dict) -> None:
    """Migrate the instance's SQLite database and load the demo data into it."""
    flask = [str(VENV_BIN / "flask"), "--app", "consult"]
    for command in (["db", "upgrade"], ["demo", "load"]):
        subprocess.run(  # noqa: S603 - fixed arguments
            [*flask, *command], env=env, cwd=REPOSITORY, check=True, capture_output=True
        )


@contextmanager
def throwaway_instance() -> Iterator[tuple[Path, dict]]:
    """A temporary instance folder with a migrated SQLite database holding the demo data, and
    the environment that points consult at it. Removed on exit."""
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as folder:
        instance = Path(folder)
        env = {
            **os.environ,
            "CONSULT_INSTANCE_PATH": str(instance),
            "CONSULT_SECRET_KEY": "benchmark-secret-key-long-enough-to-pass-the-check",
            "CONSULT_RATELIMIT_ENABLED": "false",
        }
        env.pop("DATABASE_URL", None)
        prepare_database(instance, env)
        yield instance, env


@contextmanager
def servers(env: dict, workers: int, ready_path: str) -> Iterator[tuple[int, int]]:
    """The bare Flask baseline and consult, side by side with the same number of workers.
    Yields (baseline port, consult port) once both answer; stops both on exit."""
    baseline_port, app_port = free_port(), free_port()
    processes = [
        serve("baseline_app:app", baseline_port, workers, env, BENCHMARKS),
        serve("consult:create_app()", app_port, workers, env, REPOSITORY),
    ]
    try:
        wait_until_up(baseline_port, "/")
        wait_until_up(app_port, ready_path)
        yield baseline_port, app_port
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)


def measure(
    pages: dict[str, str | None],
    ports: tuple[int, int],
    *,
    connections: int,
    seconds: float,
    rounds: int = 1,
) -> dict[str, loadgen.Result]:
    """Warm up then drive each page for `seconds` in all; a path of None is the baseline's
    "hello". With several rounds the pages take turns, so that a change in the machine's other
    load falls on all of them alike."""
    baseline_port, app_port = ports
    targets = {
        name: (baseline_port, "/") if path is None else (app_port, path)
        for name, path in pages.items()
    }
    slices = {name: [] for name in pages}
    for turn in range(rounds):
        for name, (port, target) in targets.items():
            if turn == 0:
                loadgen.run(port, target, connections=connections, seconds=1)  # warm up
            slices[name].append(
                loadgen.run(port, target, connections=connections, seconds=seconds / rounds)
            )
    return {name: combine(results) for name, results in slices.items()}


def combine(results: list[loadgen.Result]) -> loadgen.Result:
    if len(results) == 1:
        return results[0]
    return loadgen.Result(
        requests=sum(result.requests for result in results),
        errors=sum(result.errors for result in results),
        seconds=sum(result.seconds for result in results),
        latencies_ms=[value for result in results for value in result.latencies_ms],
    )


def print_table(results: dict[str, loadgen.Result], width: int = 18) -> None:
    """Requests per second, ratio to the baseline, latency percentiles and errors per page."""
    base = results[BASELINE].rps
    print(
        f"{'page':<{width}} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'errors':>7}"
    )
    for name, result in results.items():
        ratio = result.rps / base if base else 0
        print(
            f"{name:<{width}} {result.rps:>8.0f} {ratio:>7.2f} {result.percentile(50):>8.1f} "
            f"{result.percentile(95):>8.1f} {result.percentile(99):>8.1f} {result.errors:>7}"
        )
