"""The benchmark's own machinery works (bench/run.py), measured nothing: wrk's output is read,
the in-process driver counts answers, the loopback upstream waits its delay. Seconds, no wrk,
no valgrind, no rendering (the bench itself is never run by the suite)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
from helpers import REPO_ROOT, free_port, port_open

BENCH = REPO_ROOT / "bench"
sys.path.insert(0, str(BENCH))

import harness  # noqa: E402

WRK_OUTPUT = """\
Running 5s test @ http://127.0.0.1:40000/health
  1 threads and 64 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     7.80ms    1.02ms  22.10ms   91.00%
    Req/Sec     8.21k   300.00     8.60k    80.00%
  Latency Distribution
     50%    7.70ms
     75%    8.00ms
     90%    8.40ms
     99%   11.20ms
  40877 requests in 5.00s, 5.50MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 4
Requests/sec:   8175.40
Transfer/sec:      1.10MB
"""


def test_wrk_output_is_read() -> None:
    load = harness.parse_wrk(WRK_OUTPUT)
    assert load.rps == 8175.40
    assert load.p99_ms == 11.20
    assert load.errors == 9


def test_in_process_driver_counts_every_answer(tmp_path: Path) -> None:
    (tmp_path / "tiny_wsgi.py").write_text(
        "def app(environ, start_response):\n"
        "    ok = environ['PATH_INFO'] == '/health'\n"
        "    start_response('200 OK' if ok else '404 Not Found', [])\n"
        "    return [b'ok']\n"
    )
    cmd = [sys.executable, str(BENCH / "inproc.py"), "--app", "tiny_wsgi:app", "--interface",
           "wsgi", "-n", "50", "--warmup", "5"]  # fmt: skip
    proc = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    (line,) = [x for x in proc.stdout.splitlines() if x.startswith("inproc-result: ")]
    result = json.loads(line.removeprefix("inproc-result: "))
    assert result["n"] == 50 and result["bad_statuses"] == []

    missing = subprocess.run([*cmd[:-4], "--path", "/nope", "-n", "3"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=60)  # fmt: skip
    assert missing.returncode != 0 and "404" in missing.stderr


def test_upstream_answers_after_its_delay() -> None:
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(BENCH / "upstream.py"), str(port), "50"])
    try:
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", port, timeout=0.2):
            assert time.monotonic() < deadline and proc.poll() is None, "upstream did not start"
            time.sleep(0.05)
        with httpx.Client() as client:
            started = time.monotonic()
            for _ in range(2):  # keep-alive: the second request on the same connection
                assert client.get(f"http://127.0.0.1:{port}/").text == "ok"
            assert time.monotonic() - started >= 0.1
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_render_phase_rows_account_for_the_whole_run_copy() -> None:
    """The render section's in-process rows: each timed phase, whose it is, and the rest, which
    with the phases adds up to run_copy's seconds."""
    import render_profile

    run = {"import_s": 0.3, "plinth_import_s": 0.02, "plinth": True, "run_copy_s": 1.0,
           "seconds": {"other git processes": 0.1, "other strings": 0.2, "write files": 0.05},
           "calls": {"other git processes": 6, "other strings": 188, "write files": 53},
           "distinct": {"other strings": 188}}  # fmt: skip
    rows = list(render_profile.phase_rows("case", run))
    by_metric = {r[1].strip(): r for r in rows}
    assert by_metric["import plinth.cli s (on top)"][6] == "ours"
    assert by_metric["other strings s"][3] == "188 calls, 188 distinct"
    assert by_metric["the rest s (questions, walking the tree)"][2] == "0.65"
    assert all(len(r) == len(rows[0]) for r in rows)
