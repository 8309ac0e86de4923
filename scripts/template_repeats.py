"""List the blocks of lines that the template repeats, and fail on a repeat nobody allowed.

Duplicate-code finders choose files by suffix and pass over `.jinja`, so they do not see
the template. This script reads every text file below `template/` and `includes/` whatever its
suffix (`x.py.jinja` counts as `x.py`), and reports each pair of places that share
`--min-lines` (default 6) or more consecutive lines.

Lines are compared after folding white space. Blank lines and lines that hold only Jinja
block tags or comments (`{% if ... %}`, `{% endif %}`, `{# ... #}`) are passed over: they
decide which lines render, they are not the code that repeats, and skipping them lets a
block that one copy wraps in an `{% if %}` still match the other copy. Every other line
counts, `{{ expressions }}` included.

Each repeated block has a fingerprint (a hash of its folded lines), so an allowed block
stays allowed when files move or lines shift. The allow-list (`template_repeats_allow.txt`
next to this script) holds one block a line: `<fingerprint> <reason>`; `#` starts a
comment line. An allowed block is allowed wherever it stands, in as many copies as it has.

Exit status: 0 when every repeat is allowed, 1 when a repeat is not, 2 on a bad call or a
bad allow-list. Allow-list entries that match no repeat any more are named (`stale`) so
they can be pruned; they do not fail the run.

Usage: python scripts/template_repeats.py [--all] [--show] [--min-lines N] [--allow FILE]
                                          [--root DIR] [DIR ...]
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DIRS = ("template", "includes")
DEFAULT_ALLOW = Path(__file__).resolve().parent / "template_repeats_allow.txt"
# A line made only of `{% ... %}` / `{# ... #}` tags (any number, with white space between).
TAG_ONLY = re.compile(r"^(?:\s*(?:\{%.*?%\}|\{#.*?#\}))+\s*$")
FINGERPRINT = re.compile(r"^[0-9a-f]{12}$")


@dataclass(frozen=True)
class Source:
    path: str  # relative to the root, as it stands on disk (suffix kept, so it can be opened)
    numbers: tuple[int, ...]  # 1-based line number of each counted line
    lines: tuple[str, ...]  # the counted lines, white space folded


@dataclass(frozen=True)
class Repeat:
    fingerprint: str
    size: int  # counted lines shared
    first: tuple[str, int, int]  # path, first line, last line
    second: tuple[str, int, int]
    block: tuple[str, ...]  # the shared lines, white space folded


def fold(line: str) -> str:
    return " ".join(line.split())


def read_source(path: Path, root: Path) -> Source | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None  # not text: nothing to compare
    numbers: list[int] = []
    lines: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = fold(raw)
        if line and not TAG_ONLY.match(line):
            numbers.append(number)
            lines.append(line)
    return Source(path.relative_to(root).as_posix(), tuple(numbers), tuple(lines))


def collect(root: Path, dirs: list[str]) -> list[Source]:
    sources = []
    for name in dirs:
        base = root / name
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file() and not p.is_symlink()):
            if "__pycache__" in path.parts:
                continue
            source = read_source(path, root)
            if source is not None:
                sources.append(source)
    return sources


def find_repeats(sources: list[Source], min_lines: int) -> list[Repeat]:
    """Every maximal run of `min_lines` or more counted lines that two places share."""
    windows: dict[tuple[str, ...], list[tuple[int, int]]] = defaultdict(list)
    for file_index, source in enumerate(sources):
        for start in range(len(source.lines) - min_lines + 1):
            windows[source.lines[start : start + min_lines]].append((file_index, start))
    # Matching windows on one diagonal (the same two files, the same offset) that follow each
    # other line by line are one longer run.
    diagonals: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for places in windows.values():
        for i, (file_a, start_a) in enumerate(places):
            for file_b, start_b in places[i + 1 :]:
                diagonals[(file_a, file_b, start_b - start_a)].append(start_a)
    repeats = []
    for (file_a, file_b, offset), starts in diagonals.items():
        starts.sort()
        first = starts[0]
        for previous, start in zip(starts, [*starts[1:], None], strict=True):
            if start != previous + 1:  # the run ends with the window at `previous`
                size = previous - first + min_lines
                if file_a == file_b:  # one file: the first copy ends where the second begins
                    size = min(size, offset)
                if size >= min_lines:
                    a, b = sources[file_a], sources[file_b]
                    repeats.append(make_repeat(a, b, first, offset, size))
                first = start
    return sorted(repeats, key=lambda r: (-r.size, r.first, r.second))


def make_repeat(a: Source, b: Source, start: int, offset: int, size: int) -> Repeat:
    block = a.lines[start : start + size]
    fingerprint = hashlib.sha1("\n".join(block).encode()).hexdigest()[:12]
    other = start + offset
    return Repeat(
        fingerprint,
        size,
        (a.path, a.numbers[start], a.numbers[start + size - 1]),
        (b.path, b.numbers[other], b.numbers[other + size - 1]),
        block,
    )


def group(repeats: list[Repeat]) -> dict[str, list[Repeat]]:
    """The pairs by block: a block that stands in three places makes three pairs."""
    blocks: dict[str, list[Repeat]] = defaultdict(list)
    for repeat in repeats:
        blocks[repeat.fingerprint].append(repeat)
    return dict(blocks)


def read_allow(path: Path) -> dict[str, str]:
    """The allow-list: fingerprint -> reason. Raises ValueError on a malformed line."""
    allowed: dict[str, str] = {}
    if not path.exists():
        return allowed
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        fingerprint, _, reason = line.partition(" ")
        if not FINGERPRINT.match(fingerprint) or not reason.strip():
            raise ValueError(f"{path}:{number}: want '<12 hex digits> <reason>', got {raw!r}")
        if fingerprint in allowed:
            raise ValueError(f"{path}:{number}: {fingerprint} is listed twice")
        allowed[fingerprint] = reason.strip()
    return allowed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", default=list(DEFAULT_DIRS), help="folders to read")
    parser.add_argument("--root", type=Path, default=ROOT, help="the folders are below this")
    parser.add_argument("--min-lines", type=int, default=6, help="shared lines that make a pair")
    parser.add_argument("--allow", type=Path, default=DEFAULT_ALLOW, help="the allow-list file")
    parser.add_argument("--all", action="store_true", help="list the allowed blocks too")
    parser.add_argument("--show", action="store_true", help="print each block's shared lines")
    args = parser.parse_args(argv)
    if args.min_lines < 2:
        parser.error("--min-lines must be 2 or more")
    try:
        allowed = read_allow(args.allow)
    except ValueError as exc:
        print(f"template_repeats: {exc}", file=sys.stderr)
        return 2
    sources = collect(args.root.resolve(), args.dirs)
    blocks = group(find_repeats(sources, args.min_lines))
    new = [fingerprint for fingerprint in blocks if fingerprint not in allowed]
    pairs = sum(len(repeats) for repeats in blocks.values())
    print(
        f"{len(blocks)} repeated blocks ({len(new)} not allowed), {pairs} pairs of places, "
        f"in {len(sources)} files, {args.min_lines}+ lines"
    )
    for fingerprint, repeats in blocks.items():
        if fingerprint in allowed and not args.all:
            continue
        places = sorted({place for r in repeats for place in (r.first, r.second)})
        mark = f"allowed: {allowed[fingerprint]}" if fingerprint in allowed else "NEW"
        print(f"{fingerprint}  {repeats[0].size} lines, {len(places)} places, {mark}")
        for path, start, end in places:
            print(f"      {path}:{start}-{end}")
        if args.show:
            print("".join(f"      | {line}\n" for line in repeats[0].block), end="")
    for fingerprint, reason in allowed.items():
        if fingerprint not in blocks:
            print(f"stale allow-list entry (no such block now): {fingerprint} {reason}")
    if new:
        print(
            f"{len(new)} repeated block(s) not in {args.allow}: make each one piece, "
            "or add a '<fingerprint> <reason>' line to the allow-list"
        )
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
