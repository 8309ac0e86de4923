"""Render speed: `copier copy` and `plinth new --yes` of the default service, and where the time
goes. Bytecode is compiled (PYTHONDONTWRITEBYTECODE unset, one warm run first), as on a user's
machine; the template is a git snapshot of the working tree, as a local checkout."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
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


def wall(cmd: list[str], dst: Path, runs: int) -> list[float]:
    """Seconds of each run of cmd (which writes dst), after one unmeasured warm run."""
    times = []
    for n in range(runs + 1):
        shutil.rmtree(dst, ignore_errors=True)
        t = time.perf_counter()
        subprocess.run(cmd, env=user_env(), check=True, capture_output=True, timeout=120)
        if n:
            times.append(time.perf_counter() - t)
    shutil.rmtree(dst, ignore_errors=True)
    return times


def copier_cmd(template: Path, dst: Path) -> list[str]:
    copier = Path(sys.executable).with_name("copier")
    return [
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
    cmd = [str(plinth), "new", str(dst), "--yes", "--data", "project_name=Bench Service",
           "--data", "uv_lock=false"]  # fmt: skip
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


def phases(template: Path, dst: Path, memo: bool) -> dict[str, Any]:
    script = harness.BENCH / "render_phases.py"
    runs = []
    for _ in range(3):
        shutil.rmtree(dst, ignore_errors=True)
        cmd = [sys.executable, str(script), str(template), str(dst), *(["--memo"] if memo else [])]
        out = subprocess.run(
            cmd, env=user_env(), check=True, capture_output=True, text=True, timeout=120
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    shutil.rmtree(dst, ignore_errors=True)
    runs.sort(key=lambda r: r["run_copy_s"])
    return runs[1]  # the median run


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

    yield row(
        "copier copy (default service)",
        f"wall s, median of {runs}",
        wall(copier_cmd(template, dst), dst, runs),
    )
    new = plinth_new_cmd(template, dst)
    if new is None:
        yield (
            "plinth new --yes",
            "wall s",
            "n/a",
            "",
            "",
            f"< {TARGET_S:g} s",
            "NOT MEASURED (no `plinth new` command installed)",
            "",
        )
    else:
        yield row(
            "plinth new --yes (default service)", f"wall s, median of {runs}", wall(new, dst, runs)
        )

    plain = phases(template, dst, memo=False)
    memo = phases(template, dst, memo=True)
    s, c, d = plain["seconds"], plain["calls"], plain["distinct"]
    compile_total = sum(v for k, v in s.items() if k != "git exec-bit sync")
    yield (
        "copier copy, in-process",
        "import copier s",
        f"{plain['import_s']:.2f}",
        "",
        "",
        "",
        "Copier's",
        "",
    )
    yield (
        "copier copy, in-process",
        "run_copy s",
        f"{plain['run_copy_s']:.2f}",
        "",
        "",
        "",
        "",
        "",
    )
    yield (
        "copier copy, in-process",
        "Jinja compile s (all)",
        f"{compile_total:.2f}",
        "",
        "",
        "",
        "",
        "",
    )
    for what in ("path names", "other strings", "file contents"):
        yield (
            "copier copy, in-process",
            f"  compile s: {what}",
            f"{s.get(what, 0):.2f}",
            f"{c.get(what, 0)} calls, {d.get(what, 0)} distinct",
            "",
            "",
            "",
            "",
        )
    yield (
        "copier copy, in-process",
        "git exec-bit sync s",
        f"{s.get('git exec-bit sync', 0):.2f}",
        f"{c.get('git exec-bit sync', 0)} git processes",
        "",
        "",
        "Copier's",
        "",
    )
    yield (
        "copier copy, in-process",
        "run_copy s if Copier cached compiles",
        f"{memo['run_copy_s']:.2f}",
        "",
        f"{memo['run_copy_s'] / plain['run_copy_s']:.2f}",
        "",
        "Copier's",
        "",
    )

    scratch, dropped = without_conditional_names(template, ws.root / "render-plain")
    yield row(
        f"copier copy, no conditional path names ({dropped} paths dropped)",
        f"wall s, median of {runs}",
        wall(copier_cmd(scratch, dst), dst, runs),
        target=False,
    )
