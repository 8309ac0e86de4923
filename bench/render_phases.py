"""Where one `copier copy` of the default service spends its time, in-process.

    python bench/render_phases.py TEMPLATE DST [--memo]

Prints one JSON object: seconds importing copier, seconds in run_copy, Jinja compiles (calls,
distinct sources, seconds; split into path names, file contents and the other strings copier
renders: copier.yml defaults, validators, `when`), and the git processes Copier starts per file
to sync executable bits. `--memo` compiles each distinct string once, what Copier would gain by
caching `from_string` (it compiles the same strings again for every path and question).
"""

from __future__ import annotations

import collections
import json
import sys
import time

started = time.perf_counter()
import copier  # noqa: E402
import jinja2  # noqa: E402
from copier import _main  # noqa: E402

import_s = time.perf_counter() - started

memo = "--memo" in sys.argv
src, dst = [a for a in sys.argv[1:] if not a.startswith("--")]
seconds: collections.Counter[str] = collections.Counter()
calls: collections.Counter[str] = collections.Counter()
distinct: set[tuple[str, str]] = set()
cache: dict[tuple[int, str], object] = {}
compile_ = jinja2.Environment.compile


def kind(source: object, name: str | None) -> str:
    if name:
        return "file contents"
    text = str(source)
    if "{%" in text and "\n" not in text and len(text) < 300 and "endif" in text:
        return "path names"
    return "other strings"


def counting_compile(self, source, name=None, filename=None, raw=False, defer_init=False):  # type: ignore[no-untyped-def]
    what = kind(source, name)
    calls[what] += 1
    distinct.add((what, str(source)))
    key = (id(self), str(source))
    if memo and name is None and not raw and not defer_init and key in cache:
        return cache[key]
    t = time.perf_counter()
    code = compile_(self, source, name, filename, raw, defer_init)
    seconds[what] += time.perf_counter() - t
    if name is None and not raw and not defer_init:
        cache[key] = code
    return code


jinja2.Environment.compile = counting_compile  # type: ignore[method-assign]
sync = _main.Worker._sync_git_index_executable_bit


def timed_sync(self, *args):  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    try:
        return sync(self, *args)
    finally:
        seconds["git exec-bit sync"] += time.perf_counter() - t
        calls["git exec-bit sync"] += 1


_main.Worker._sync_git_index_executable_bit = timed_sync  # type: ignore[method-assign]
t = time.perf_counter()
copier.run_copy(
    src,
    dst,
    data={"project_name": "Bench Service", "uv_lock": False},
    defaults=True,
    unsafe=True,
    quiet=True,
)
run_s = time.perf_counter() - t
print(
    json.dumps(
        {
            "import_s": import_s,
            "run_copy_s": run_s,
            "seconds": dict(seconds),
            "calls": dict(calls),
            "distinct": dict(collections.Counter(what for what, _ in distinct)),
            "memo": memo,
        }
    )
)
