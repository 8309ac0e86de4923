"""Render speed: `copier copy` and `plinth new --yes` of the default service, and where the time
goes. Bytecode is compiled (PYTHONDONTWRITEBYTECODE unset, one warm run first), as on a user's
machine; the template is a git snapshot of the working tree, as a local checkout."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import harness
from harness import Workspace

CONDITION = re.compile(r"\{%-?\s*if\b.*?%\}(.*?)\{%-?\s*endif\s*-?%\}")
TARGET_S = 1.0


def user_env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def wall(cmd: list[str], dst: Path, runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (user + sys, the processes it starts included) of each run of
    cmd (which writes dst), after one unmeasured warm run. CPU time moves less than wall time
    on a shared machine; neither counts time blocked on the disk."""
    walls, cpus = [], []
    for n in range(runs + 1):
        shutil.rmtree(dst, ignore_errors=True)
        used = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run(cmd, env=user_env(), check=True, capture_output=True, timeout=120)
        if n:
            walls.append(time.perf_counter() - t)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime)
    shutil.rmtree(dst, ignore_errors=True)
    return walls, cpus


def instructions(cmd: list[str], dst: Path) -> tuple[int, int, int]:
    """(instructions of the whole command, of the processes it started, how many it started),
    from valgrind's callgrind following every child (git included). Deterministic where wall time
    on a shared machine is not: repeat runs agree within 0.2 %. (0, 0, 0) without valgrind."""
    if not shutil.which("valgrind"):
        return 0, 0, 0
    shutil.rmtree(dst, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="render-cg-") as tmp:
        proc = subprocess.Popen(
            ["valgrind", "--tool=callgrind", "--trace-children=yes",
             f"--callgrind-out-file={tmp}/cg.%p", *cmd],
            env=user_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        _, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise SystemExit(f"callgrind run of {cmd[:2]} failed:\n{err[-3000:]}")
        counts = {}
        for path in Path(tmp).glob("cg.*"):
            found = re.search(r"^(?:summary|totals):\s*(\d+)", path.read_text(), re.MULTILINE)
            counts[int(path.suffix[1:])] = int(found[1]) if found else 0
    shutil.rmtree(dst, ignore_errors=True)
    total = sum(counts.values())
    return total, total - counts[proc.pid], len(counts) - 1  # valgrind keeps the command's pid


def copier_cmd(template: Path, dst: Path) -> list[str]:
    copier = Path(sys.executable).with_name("copier")
    return [
        sys.executable,
        str(copier),
        "copy",
        "--trust",
        "--defaults",
        "--quiet",
        "--data",
        "project_name=Bench Service",
        "--data",
        "uv_lock=false",
        str(template),
        str(dst),
    ]


def plinth_new_cmd(template: Path, dst: Path) -> list[str] | None:
    plinth = Path(sys.executable).with_name("plinth")
    if not plinth.exists():
        return None
    probe = subprocess.run([str(plinth), "new", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        return None
    cmd = [sys.executable, str(plinth), "new", str(dst), "--yes",
           "--data", "project_name=Bench Service", "--data", "uv_lock=false"]  # fmt: skip
    if "--template" in probe.stdout:
        # A template given by path is "another template" to plinth: its lock task needs --trust.
        cmd += ["--template", str(template), "--trust"]
    return cmd


def without_conditional_names(template: Path, scratch: Path) -> tuple[Path, int]:
    """A scratch copy of the template whose tree holds only what the default answers render,
    under plain names (no `{% if %}` in any path): the most a tree restructure that cuts path
    conditions could save. Returns the copy and how many template paths it dropped."""
    reference = scratch.with_name(scratch.name + "-reference")
    harness.render(template, reference, {"project_name": "Bench Service"})
    shutil.copytree(template, scratch, ignore=shutil.ignore_patterns(".git", "template"))
    dropped = 0
    for path in sorted((template / "template").rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(template / "template").as_posix()
        plain = CONDITION.sub(r"\1", relative)
        rendered = plain.replace("{{package_name}}", "bench_service").replace(
            "{{_copier_conf.answers_file}}", ".copier-answers.yml"
        )
        rendered = rendered.removesuffix(".jinja")
        target = scratch / "template" / plain
        if (reference / rendered).exists() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        else:
            dropped += 1
    shutil.rmtree(reference)
    from helpers import git  # a git repo, cloned by copier like the original

    git(scratch, "init", "-q", "-b", "main")
    git(scratch, "add", "-A")
    git(scratch, "commit", "-q", "-m", "default answers' tree under plain names")
    return scratch, dropped


def phases(template: Path, dst: Path, *flags: str) -> dict[str, Any]:
    script = harness.BENCH / "render_phases.py"
    runs = []
    for _ in range(3):
        shutil.rmtree(dst, ignore_errors=True)
        cmd = [sys.executable, str(script), str(template), str(dst), *flags]
        out = subprocess.run(
            cmd, env=user_env(), check=True, capture_output=True, text=True, timeout=120
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    shutil.rmtree(dst, ignore_errors=True)
    runs.sort(key=lambda r: r["run_copy_s"])
    return runs[1]  # the median run


# What render_phases.py times, in the order a render meets it, and whose it is.
PHASES = (
    ("other git processes", "Copier's (its clone of a local checkout; plinth: `git status`)"),
    ("path names", "Copier's compiles"),
    ("other strings", "Copier's compiles"),
    ("file contents", "Copier's compiles"),
    ("git exec-bit sync", "Copier's (one `git config` per file)"),
    ("write files", "Copier's"),
    ("remove the clone", "Copier's"),
)


def phase_rows(case: str, run: dict[str, Any]) -> Iterator[tuple[str, ...]]:
    s, c, d = run["seconds"], run["calls"], run["distinct"]
    yield (case, "import copier s", f"{run['import_s']:.2f}", "", "", "", "Copier's", "")
    if run["plinth"]:
        yield (case, "import plinth.cli s (on top)", f"{run['plinth_import_s']:.2f}", "", "", "",
               "ours", "")  # fmt: skip
    yield (case, "run_copy s", f"{run['run_copy_s']:.2f}", "", "", "", "", "")
    measured = 0.0
    for what, whose in PHASES:
        detail = f"{c.get(what, 0)} calls"
        if what in d:
            detail += f", {d[what]} distinct"
        measured += s.get(what, 0)
        yield (case, f"  {what} s", f"{s.get(what, 0):.2f}", detail, "", "", whose, "")
    rest = run["run_copy_s"] - measured
    yield (case, "  the rest s (questions, walking the tree)", f"{rest:.2f}", "", "", "",
           "Copier's", "")  # fmt: skip


def rows(ws: Workspace, args: Any) -> Iterator[tuple[str, ...]]:
    runs = 1 if args.smoke else 5
    template, dst = ws.template, ws.root / "render-out"
    before = harness.load()

    def row(case: str, metric: str, seconds: list[float], target: bool = True) -> tuple[str, ...]:
        value = statistics.median(seconds)
        spread = f"{min(seconds):.2f}-{max(seconds):.2f}"
        ok = harness.verdict_text(value < TARGET_S) if target else ""
        load = f"{before:.1f}->{harness.load():.1f}"
        return (
            case,
            metric,
            f"{value:.2f}",
            spread,
            "",
            f"< {TARGET_S:g} s" if target else "",
            ok,
            load,
        )

    commands = {"copier copy (default service)": copier_cmd(template, dst)}
    new = plinth_new_cmd(template, dst)
    if new is None:
        yield ("plinth new --yes", "wall s", "n/a", "", "", f"< {TARGET_S:g} s",
               "NOT MEASURED (no `plinth new` command installed)", "")  # fmt: skip
    else:
        commands["plinth new --yes (default service)"] = new
    for case, cmd in commands.items():
        walls, cpus = wall(cmd, dst, runs)
        yield row(case, f"wall s, median of {runs}", walls)
        yield row(case, f"CPU s (user+sys, children too), median of {runs}", cpus, target=False)
        if not args.smoke:
            total, children, processes = instructions(cmd, dst)
            if total:
                yield (case, "instructions (callgrind, children too)", f"{total / 1e9:.3f} G",
                       f"{children / 1e9:.3f} G in {processes} child processes", "", "", "",
                       "")  # fmt: skip

    yield from phase_rows("copier copy, in-process", phases(template, dst))
    yield from phase_rows("plinth's run_copy, in-process", phases(template, dst, "--plinth"))
    memo = phases(template, dst, "--memo")
    yield (
        "copier copy, in-process",
        "run_copy s if Copier cached compiles",
        f"{memo['run_copy_s']:.2f}",
        "",
        "",
        "",
        "Copier's",
        "",
    )

    scratch, dropped = without_conditional_names(template, ws.root / "render-plain")
    yield row(
        f"copier copy, no conditional path names ({dropped} paths dropped)",
        f"wall s, median of {runs}",
        wall(copier_cmd(scratch, dst), dst, runs)[0],
        target=False,
    )
