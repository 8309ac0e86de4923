"""Fast tier: the template repeats no block of lines beyond the allowed ones.

scripts/template_repeats.py lists blocks of 6+ lines that stand in two places of `template/`
or `includes/`; its allow-list names the known ones with a reason. A new repeat fails here:
make it one piece, or allow it with a reason.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "template_repeats.py"

# The same 7 lines in two files: other indentation, blank lines and a Jinja block in between.
FIRST = '''"""A."""

def f(x):
    y = x + 1
{% if flag %}
    z = y * 2
{% endif %}

    w = z - 3
    return w


def g():
    pass
'''
SECOND = """# B
def f(x):
  y = x + 1
  z = y * 2
  w = z - 3
  return w
def g():
  pass
print("b")
"""


def check(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, SCRIPT, *map(str, args)], capture_output=True, text=True, check=False
    )


def tree(root: Path, first: str, second: str) -> Path:
    (root / "template").mkdir(parents=True)
    (root / "includes").mkdir()
    (root / "template" / "a.py.jinja").write_text(first)
    (root / "includes" / "b.py").write_text(second)
    return root


def test_the_template_repeats_no_block_beyond_the_allow_list() -> None:
    result = check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_repeat_is_found_and_the_allow_list_accepts_it(tmp_path: Path) -> None:
    root = tree(tmp_path / "repo", FIRST, SECOND)
    allow = tmp_path / "allow.txt"

    found = check("--root", root, "--allow", allow)
    assert found.returncode == 1, found.stdout
    header = re.search(r"^([0-9a-f]{12})  7 lines, 2 places, NEW$", found.stdout, re.MULTILINE)
    assert header, found.stdout
    assert "      includes/b.py:2-8\n      template/a.py.jinja:3-14\n" in found.stdout

    allow.write_text(f"# known\n{header[1]} the two copies are meant to stay equal\n")
    allowed = check("--root", root, "--allow", allow)
    assert allowed.returncode == 0, allowed.stdout
    assert "(0 not allowed)" in allowed.stdout
    assert header[1] not in allowed.stdout  # allowed blocks are listed only with --all
    assert (
        "allowed: the two copies are meant to stay equal"
        in check("--root", root, "--allow", allow, "--all").stdout
    )

    (root / "includes" / "b.py").write_text("print('b')\n")
    stale = check("--root", root, "--allow", allow)
    assert stale.returncode == 0, stale.stdout
    assert f"stale allow-list entry (no such block now): {header[1]}" in stale.stdout


def test_fewer_shared_lines_than_the_threshold_are_no_repeat(tmp_path: Path) -> None:
    root = tree(tmp_path / "repo", FIRST, SECOND)
    no_allow = tmp_path / "none.txt"
    assert check("--root", root, "--allow", no_allow, "--min-lines", "8").returncode == 0
    assert check("--root", root, "--allow", no_allow, "--min-lines", "7").returncode == 1


def test_an_allow_entry_without_a_reason_is_refused(tmp_path: Path) -> None:
    root = tree(tmp_path / "repo", FIRST, SECOND)
    allow = tmp_path / "allow.txt"
    allow.write_text("0123456789ab\n")
    result = check("--root", root, "--allow", allow)
    assert result.returncode == 2
    assert "want '<12 hex digits> <reason>'" in result.stderr
