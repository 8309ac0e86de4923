"""Worker counts from fake cgroup trees (R7-R9) and the entrypoint's environment."""

from pathlib import Path

import pytest

from my_service.serving import concurrency
from my_service.serving.concurrency import (
    Allotment,
    allotment,
    web_concurrency,
    web_threads,
    workers_for,
)
from my_service.serving.entrypoint import prepare_environment

GIB = 1024**3


def _cgroup(tmp_path: Path, files: dict[str, str], own: str = "/") -> tuple[Path, Path]:
    root = tmp_path / "cgroup"
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content + "\n")
    root.mkdir(exist_ok=True)
    proc = tmp_path / "proc-self-cgroup"
    proc.write_text(f"0::{own}\n")
    return root, proc


def test_v2_quota_rounds_up(tmp_path: Path) -> None:
    root, proc = _cgroup(tmp_path, {"cpu.max": "150000 100000"})
    assert allotment(root, proc, affinity=8) == Allotment(cpus=2, memory_bytes=None)


def test_v2_without_quota_uses_affinity(tmp_path: Path) -> None:
    root, proc = _cgroup(tmp_path, {"cpu.max": "max 100000", "memory.max": "max"})
    assert allotment(root, proc, affinity=6) == Allotment(cpus=6, memory_bytes=None)


def test_v2_nested_cgroup_takes_the_tightest_limit(tmp_path: Path) -> None:
    root, proc = _cgroup(
        tmp_path,
        {
            "cpu.max": "400000 100000",
            "kubepods/pod1/cpu.max": "50000 100000",
            "kubepods/pod1/memory.max": str(2 * GIB),
        },
        own="/kubepods/pod1",
    )
    assert allotment(root, proc, affinity=16) == Allotment(cpus=1, memory_bytes=2 * GIB)


def test_quota_is_capped_by_affinity(tmp_path: Path) -> None:
    root, proc = _cgroup(tmp_path, {"cpu.max": "800000 100000"})
    assert allotment(root, proc, affinity=2).cpus == 2


def test_v1_quota_and_memory(tmp_path: Path) -> None:
    root, proc = _cgroup(
        tmp_path,
        {
            "cpu,cpuacct/cpu.cfs_quota_us": "300000",
            "cpu,cpuacct/cpu.cfs_period_us": "100000",
            "memory/memory.limit_in_bytes": str(GIB),
        },
    )
    assert allotment(root, proc, affinity=8) == Allotment(cpus=3, memory_bytes=GIB)


def test_v1_unlimited(tmp_path: Path) -> None:
    root, proc = _cgroup(
        tmp_path,
        {
            "cpu/cpu.cfs_quota_us": "-1",
            "cpu/cpu.cfs_period_us": "100000",
            "memory/memory.limit_in_bytes": "9223372036854771712",
        },
    )
    assert allotment(root, proc, affinity=4) == Allotment(cpus=4, memory_bytes=None)


def test_no_cgroup_at_all(tmp_path: Path) -> None:
    missing = tmp_path / "absent"
    assert allotment(missing, missing, affinity=3) == Allotment(cpus=3, memory_bytes=None)


def test_tiny_quota_still_gives_one_cpu(tmp_path: Path) -> None:
    root, proc = _cgroup(tmp_path, {"cpu.max": "10000 100000"})
    assert allotment(root, proc, affinity=4).cpus == 1


@pytest.mark.parametrize(
    ("kind", "cpus", "expected"),
    [
        ("async", 1, 1),
        ("async", 4, 4),
        ("sync", 1, 3),
        ("sync", 4, 9),
        ("gthread", 2, 5),
        ("single", 8, 1),
    ],
)
def test_worker_formulas(kind: concurrency.WorkerKind, cpus: int, expected: int) -> None:
    assert workers_for(Allotment(cpus=cpus, memory_bytes=None), kind) == expected


def test_memory_limit_caps_workers() -> None:
    small = Allotment(cpus=8, memory_bytes=GIB)
    assert workers_for(small, "sync", worker_memory_mb=256) == 4
    assert workers_for(Allotment(cpus=8, memory_bytes=100 * 1024**2), "async") == 1


def test_web_concurrency_override_wins() -> None:
    one_cpu = Allotment(cpus=1, memory_bytes=None)
    assert web_concurrency({"WEB_CONCURRENCY": "7"}, one_cpu, configured=3) == 7
    with pytest.raises(ValueError, match="WEB_CONCURRENCY"):
        web_concurrency({"WEB_CONCURRENCY": "0"})


def test_configured_workers_replace_the_computed_count() -> None:
    eight_cpus = Allotment(cpus=8, memory_bytes=None)
    assert web_concurrency({}, eight_cpus, configured=3, kind="async") == 3
    assert web_concurrency({}, eight_cpus, configured=None, kind="async") == 8


def test_worker_memory_budget_is_configurable() -> None:
    allot = Allotment(cpus=8, memory_bytes=GIB)
    env = {"WORKER_MEMORY_MB": "512"}
    assert web_concurrency(env, allot, configured=None, kind="async") == 2


def test_threads_override_then_configured_then_kind_default() -> None:
    assert web_threads({"WEB_THREADS": "9"}, configured=2) == 9
    assert web_threads({}, configured=2) == 2
    assert web_threads({}, configured=None) == concurrency.threads_for()
    with pytest.raises(ValueError, match="WEB_THREADS"):
        web_threads({"WEB_THREADS": "-1"})


def test_entrypoint_fills_server_settings_without_overriding() -> None:
    env = {"PORT": "9000", "WEB_CONCURRENCY": "3"}
    prepare_environment(env)
    assert env["HOST"] == "0.0.0.0"
    assert env["PORT"] == "9000"
    assert env["WEB_CONCURRENCY"] == "3"
