"""A small closed-loop HTTP load generator on loopback: N processes, keep-alive connections.

Bounded in time and count; targets only 127.0.0.1.
"""

import http.client
import multiprocessing
import statistics
import time
from dataclasses import dataclass


@dataclass
class Result:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def _worker(port: int, path: str, seconds: float, max_requests: int, queue) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    done = errors = 0
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and done < max_requests:
        start = time.perf_counter()
        try:
            connection.request("GET", path, headers={"Accept-Language": "fr"})
            response = connection.getresponse()
            response.read()
            if response.status >= 400:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        latencies.append((time.perf_counter() - start) * 1000)
        done += 1
    queue.put((done, errors, latencies))


def run(port: int, path: str, *, connections: int = 8, seconds: float = 5.0) -> Result:
    queue = multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=_worker, args=(port, path, seconds, 1_000_000, queue))
        for _ in range(connections)
    ]
    started = time.monotonic()
    for worker in workers:
        worker.start()
    outcomes = [queue.get(timeout=seconds + 30) for _ in workers]
    for worker in workers:
        worker.join(timeout=5)
    elapsed = time.monotonic() - started
    latencies = [value for _, _, values in outcomes for value in values]
    return Result(
        requests=sum(o[0] for o in outcomes),
        errors=sum(o[1] for o in outcomes),
        seconds=elapsed,
        latencies_ms=latencies,
    )


def median(values):
    return statistics.median(values) if values else 0.0
