"""Requests per second of the plan page, as a ratio to a bare Flask "hello" in the same run.

Usage: .venv/bin/python benchmarks/plan_page.py [--seconds 5] [--connections 8]
Starts both apps with gunicorn on loopback (same worker count), loads the demo data into a
throwaway SQLite database, warms up, measures, prints a table, and stops everything.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import loadgen  # noqa: E402

REPOSITORY = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


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
    return subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
         "--log-level", "warning", app_spec],
        env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip


def prepare_database(instance: Path, env: dict) -> None:
    flask = [str(VENV_BIN / "flask"), "--app", "consult"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=REPOSITORY, check=True,
                   capture_output=True)  # fmt: skip
    subprocess.run([*flask, "demo", "load"], env=env, cwd=REPOSITORY, check=True,
                   capture_output=True)  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    options = parser.parse_args()

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
        pages = {
            "baseline": None,
            "plan page": "/plans/2015-2017/",
            "commitment page": "/plans/2015-2017/engagements/12",
            "home page": "/",
        }
        baseline_port, app_port = free_port(), free_port()
        servers = [
            serve("baseline_app:app", baseline_port, options.workers, env, Path(__file__).parent),
            serve("consult:create_app()", app_port, options.workers, env, REPOSITORY),
        ]
        try:
            wait_until_up(baseline_port, "/")
            wait_until_up(app_port, "/plans/2015-2017/")
            results = {}
            for name, path in pages.items():
                port, target = (baseline_port, "/") if path is None else (app_port, path)
                loadgen.run(port, target, connections=options.connections, seconds=1)  # warm up
                results[name] = loadgen.run(
                    port, target, connections=options.connections, seconds=options.seconds
                )
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=10)

    base = results["baseline"].rps
    print(
        f"{'page':<18} {'req/s':>8} {'ratio':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}"
    )
    for name, result in results.items():
        ratio = result.rps / base if base else 0
        print(
            f"{name:<18} {result.rps:>8.0f} {ratio:>7.2f} {result.percentile(50):>8.1f} "
            f"{result.percentile(95):>8.1f} {result.percentile(99):>8.1f} {result.errors:>7}"
        )


if __name__ == "__main__":
    main()
