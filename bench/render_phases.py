"""Where one `copier copy` of the default service spends its time, in-process.

    python bench/render_phases.py TEMPLATE DST [--memo] [--plinth]

Prints one JSON object: seconds importing copier (and, with --plinth, plinth.cli on top), seconds
in run_copy, Jinja compiles (calls, distinct sources, seconds; split into path names, file
contents and the other strings copier renders: copier.yml defaults, validators, `when`), the git
processes Copier starts per file to sync executable bits, the other git processes (the template's
clone, tags, describe), removing the clone afterwards, and writing the files. `--memo` compiles
each distinct string once, what Copier would gain by caching `from_string` (it compiles the same
strings again for every path and question). `--plinth` renders the way `plinth new` does
(`plinth.template.run_copy`: a clean checkout at HEAD in place, compiles cached, no per-file
`git config`); TEMPLATE should then be a clean checkout, as the bench's snapshot is.
"""

from __future__ import annotations

import collections
import json
import pathlib
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

started = time.perf_counter()
import copier  # noqa: E402
import jinja2  # noqa: E402
import plumbum.commands.base  # noqa: E402
from copier import _main, _template  # noqa: E402

import_s = time.perf_counter() - started
plinth_mode = "--plinth" in sys.argv
plinth_import_s = 0.0
if plinth_mode:
    started = time.perf_counter()
    import plinth.cli  # noqa: F401  (what `plinth new` imports)
    from plinth.template import TemplateSource, run_copy

    plinth_import_s = time.perf_counter() - started

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
    if not isinstance(source, str):  # Copier tries `when: true` as a template: Jinja refuses it
        return compile_(self, source, name, filename, raw, defer_init)
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


def timed(owner: Any, attr: str, what: str) -> None:
    """Count seconds and calls of owner.attr under `what`, outermost call only (a git process
    started inside the exec-bit sync is counted there, not twice)."""
    original = getattr(owner, attr)
    depth = [0]

    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        if depth[0] or in_sync[0]:
            return original(*args, **kwargs)
        depth[0] += 1
        t = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            depth[0] -= 1
            seconds[what] += time.perf_counter() - t
            calls[what] += 1

    setattr(owner, attr, wrapper)


in_sync = [0]
synced = _main.Worker._sync_git_index_executable_bit


def marking_sync(self, *args):  # type: ignore[no-untyped-def]
    in_sync[0] += 1
    try:
        return synced(self, *args)
    finally:
        in_sync[0] -= 1


_main.Worker._sync_git_index_executable_bit = marking_sync  # type: ignore[method-assign]
timed(plumbum.commands.base.BaseCommand, "run", "other git processes")
timed(subprocess, "run", "other git processes")  # plinth's own `git status`/`ls-files`
timed(_template.Template, "_cleanup", "remove the clone")
timed(pathlib.Path, "write_bytes", "write files")
data = {"project_name": "Bench Service", "uv_lock": False}
t = time.perf_counter()
if plinth_mode:
    run_copy(TemplateSource(src, "HEAD", "bench"), Path(dst), data=data, defaults=True,
             unsafe=True, quiet=True)  # fmt: skip
else:
    copier.run_copy(src, dst, data=data, defaults=True, unsafe=True, quiet=True)
run_s = time.perf_counter() - t
print(
    json.dumps(
        {
            "import_s": import_s,
            "plinth_import_s": plinth_import_s,
            "plinth": plinth_mode,
            "run_copy_s": run_s,
            "seconds": dict(seconds),
            "calls": dict(calls),
            "distinct": dict(collections.Counter(what for what, _ in distinct)),
            "memo": memo,
        }
    )
)
