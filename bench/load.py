"""Load generation (wrk with a Lua script, or Python threads when wrk is missing) and
the workers' peak memory, sampled while a case runs."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from .server import HOST, log


@dataclass
class Case:
    key: str  # for --only
    name: str  # in the table
    paths: list[str]
    headers: dict[str, str] = field(default_factory=dict)
    unique: bool = False  # append a distinct &n=… to every request (nothing can cache it)
    concurrency: list[int] | None = None  # None: the --concurrency list
    python: bool = False  # always the Python client (long responses: at least one each)
    expect: int = 200
    warm: bool = False  # request each page a few times before the case: from the page cache


@dataclass
class Result:
    requests: int
    seconds: float
    p50: float  # milliseconds
    p95: float
    p99: float
    statuses: dict[int, int]
    errors: int
    bytes: int
    rss: list[float] = field(default_factory=list)  # MB, each worker's peak
    alone_ms: float | None = None  # when none finished: one request on an idle server

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


# --- wrk ---------------------------------------------------------------------------------

LUA = r"""
local paths = {PATHS}
local headers = {HEADERS}
local unique = {UNIQUE}
local threads = {}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  statuses = {}
end

function request()
  counter = counter + 1
  local path = paths[(counter + id * 7) % #paths + 1]
  if unique then
    local sep = string.find(path, "?", 1, true) and "&" or "?"
    path = path .. sep .. "n=" .. id .. "-" .. counter
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      table.insert(counts, string.format('"%d": %d', status, n))
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50": %f, "p95": %f, "p99": %f, "errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, table.concat(counts, ", ")))
end
"""


def _lua_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a valid Lua string literal (no \u escapes)


def find_wrk(install: bool) -> str | None:
    """wrk from Debian; installed with apt-get when missing and we are root."""
    found = shutil.which("wrk")
    if found or not install:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        log("wrk is missing (apt-get install wrk as root): using the Python load generator")
        return None
    log("installing wrk (apt-get install -y wrk)")
    apt_install = ["apt-get", "install", "-y", "-qq", "wrk"]
    for command in (apt_install, ["apt-get", "update", "-qq"], apt_install):
        subprocess.run(command, capture_output=True, check=False)  # noqa: S603 - Debian's apt
        found = shutil.which("wrk")
        if found:
            return found
    log("could not install wrk: using the Python load generator")
    return found


def run_wrk(wrk: str, base_url: str, case: Case, concurrency: int, seconds: float) -> Result:
    script = (
        LUA.replace("{PATHS}", "{" + ", ".join(_lua_string(p) for p in case.paths) + "}")
        .replace(
            "{HEADERS}",
            "{"
            + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in case.headers.items())
            + "}",
        )
        .replace("{UNIQUE}", "true" if case.unique else "false")
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        command = [
            wrk,
            "-t",
            str(min(2, concurrency)),
            "-c",
            str(concurrency),
            "-d",
            f"{max(1, round(seconds))}s",
            "--timeout",
            "30s",
            "-s",
            handle.name,
            base_url,
        ]
        output = subprocess.run(  # noqa: S603 - wrk against our own loopback server
            command, capture_output=True, text=True, check=False, timeout=seconds + 120
        )
    finally:
        Path(handle.name).unlink()
    line = next((x for x in output.stdout.splitlines() if x.startswith("BENCH-RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {output.stdout}\n{output.stderr}")
    data = json.loads(line.removeprefix("BENCH-RESULT "))
    return Result(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        p50=data["p50"] / 1000,
        p95=data["p95"] / 1000,
        p99=data["p99"] / 1000,
        statuses={int(k): v for k, v in data["statuses"].items()},
        errors=data["errors"],
        bytes=data["bytes"],
    )


# --- Python threads -------------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def run_python(
    base_url: str, case: Case, concurrency: int, seconds: float, *, at_least_one: bool = False
) -> Result:
    """Closed-loop clients, one thread each; with at_least_one every client finishes one
    request even when it takes longer than `seconds` (e.g. a 100,000-entry export)."""
    port = int(base_url.rsplit(":", 1)[1])
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    totals = {"errors": 0, "bytes": 0}
    start = time.monotonic()
    deadline = start + seconds

    def client(number: int):
        done = 0
        while time.monotonic() < deadline or (at_least_one and done == 0):
            path = case.paths[(done + number * 7) % len(case.paths)]
            if case.unique:
                path += ("&" if "?" in path else "?") + f"n={number}-{done}"
            began = time.monotonic()
            try:
                connection = http.client.HTTPConnection(HOST, port, timeout=900)
                connection.request("GET", path, headers=case.headers)
                reply = connection.getresponse()
                size = len(reply.read())
                connection.close()
            except (OSError, http.client.HTTPException):
                with lock:
                    totals["errors"] += 1
                done += 1
                continue
            took = time.monotonic() - began
            with lock:
                latencies.append(took * 1000)
                statuses[reply.status] = statuses.get(reply.status, 0) + 1
                totals["bytes"] += size
            done += 1

    threads = [threading.Thread(target=client, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(
        requests=len(latencies),
        seconds=time.monotonic() - start,
        p50=percentile(latencies, 0.50),
        p95=percentile(latencies, 0.95),
        p99=percentile(latencies, 0.99),
        statuses=statuses,
        errors=totals["errors"],
        bytes=totals["bytes"],
    )


# --- Memory ------------------------------------------------------------------------------


class MemorySampler:
    """Each gunicorn worker's peak RSS while a case runs: psutil samples every 50 ms, and
    the kernel's own high-water mark (VmHWM, reset at the start) catches short peaks."""

    def __init__(self, pids):
        self.pids = pids  # a callable: the current worker pids
        self.peaks: dict[int, float] = {}
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        for pid in self.pids():
            # "5" resets the kernel's VmHWM (Linux); harmless where it is refused.
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")
        self.thread.start()
        return self

    def _sample(self):
        for pid in self.pids():
            try:
                rss = psutil.Process(pid).memory_info().rss
            except psutil.Error:
                continue
            self.peaks[pid] = max(self.peaks.get(pid, 0), rss)

    def _run(self):
        while not self.stopping.wait(0.05):
            self._sample()

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()
        self._sample()
        for pid in list(self.peaks):
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peaks[pid] = max(self.peaks[pid], int(line.split()[1]) * 1024)

    def megabytes(self) -> list[float]:
        return [self.peaks[pid] / 2**20 for pid in sorted(self.peaks)]
