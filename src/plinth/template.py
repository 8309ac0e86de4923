"""Where the template comes from, and what its copier.yml asks.

Shared by every command: ``find_template`` decides which template a command renders (and what the
service records as ``_src_path``), ``load_questions`` reads copier.yml's questions with Copier's
own loader, ``resolve_answers`` runs Copier's own questionnaire without prompting (defaults, data,
validators) and ``refusals`` evaluates copier.yml's per-choice validators to list the
incompatible pairs. Nothing here copies a question, a choice or a validator out of copier.yml.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import inspect
import itertools
import json
import os
import subprocess
import tempfile
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import yaml
from copier._main import Worker
from copier._template import Template, filter_config, load_template_config
from copier._vcs import get_repo
from jinja2 import meta

ENV_VAR = "PLINTH_TEMPLATE"
CONFIG_NAME = "copier.yml"
RELEASES_NAME = "releases.yml"
CHANGELOG_NAME = "CHANGELOG.md"
# The checkout this module lives in: src/plinth/template.py -> the repository root.
CHECKOUT = Path(__file__).resolve().parents[2]


class TemplateNotFound(Exception):
    """No template could be located; the message says where plinth looked."""


# --------------------------------------------------------------------------- where it comes from


@dataclass(frozen=True)
class TemplateSource:
    """A template location Copier can reach now and ``copier update`` can reach later.

    ``src`` is what Copier gets and what the service records as ``_src_path``: a git URL or a
    stable local path, never a temporary directory. ``vcs_ref`` is the git ref to render (None:
    Copier's default, the latest tag). ``origin`` says how it was found, for messages.
    """

    src: str
    vcs_ref: str | None
    origin: str

    @property
    def local_path(self) -> Path | None:
        """The template's directory when ``src`` is a local path, else None."""
        if "://" in self.src or self.src.startswith(("git@", "gh:", "gl:")):
            return None
        path = Path(self.src).expanduser()
        return path if path.is_dir() else None

    @property
    def is_git(self) -> bool:
        return get_repo(self.src) is not None

    def with_ref(self, vcs_ref: str | None) -> TemplateSource:
        return TemplateSource(self.src, vcs_ref if vcs_ref else self.vcs_ref, self.origin)

    def describe(self) -> str:
        ref = f" @ {self.vcs_ref}" if self.vcs_ref else ""
        return f"{self.src}{ref} ({self.origin})"


def _is_template_dir(path: Path) -> bool:
    return (path / CONFIG_NAME).is_file() and (path / "template").is_dir()


def installed_source() -> TemplateSource | None:
    """The repository plinth was installed from, per PEP 610 ``direct_url.json``.

    ``uv tool install git+URL`` records the URL and the commit it built; an install from a local
    directory records a ``file://`` URL. None when plinth was installed from an index (no
    template to go back to) or the recorded directory no longer holds the template.
    """
    try:
        raw = metadata.distribution("plinth").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    if not raw:
        return None
    info = json.loads(raw)
    url: str = info.get("url", "")
    if vcs := info.get("vcs_info"):
        if vcs.get("vcs") != "git":
            return None
        return TemplateSource(f"git+{url}", vcs.get("commit_id"), "installed from git")
    if url.startswith("file://"):
        path = Path(unquote(urlparse(url).path))
        if _is_template_dir(path):
            return TemplateSource(str(path), "HEAD", "installed from a checkout")
    return None


def find_template(
    override: str | None = None, env: Mapping[str, str] = os.environ
) -> TemplateSource:
    """The template to render: ``--template``, else ``PLINTH_TEMPLATE``, else the checkout
    plinth runs from (``uv run plinth``, an editable install), else the repository it was
    installed from (PEP 610)."""
    if override:
        return _explicit(override, "--template")
    if env.get(ENV_VAR):
        return _explicit(env[ENV_VAR], ENV_VAR)
    if _is_template_dir(CHECKOUT):
        return TemplateSource(str(CHECKOUT), "HEAD", "the checkout plinth runs from")
    if found := installed_source():
        return found
    raise TemplateNotFound(
        "plinth could not find its template: it does not run from a checkout and was not "
        f"installed from one or from a git URL. Pass --template SRC or set {ENV_VAR} "
        "(a git URL such as git+https://github.com/ORG/plinth.git, or a local checkout)."
    )


def _explicit(value: str, origin: str) -> TemplateSource:
    """A user-given SRC, optionally ``SRC@REF`` for git URLs; local paths become absolute so the
    answers file records a path that still works from the service's directory."""
    src, ref = value, None
    if "@" in value and ("://" in value or value.startswith("git+")):
        head, _, tail = value.rpartition("@")
        if "/" not in tail:  # user@host in an ssh URL is not a ref
            src, ref = head, tail
    path = Path(src).expanduser()
    if "://" not in src and not src.startswith(("git@", "gh:", "gl:")) and path.exists():
        src = str(path.resolve())
        if ref is None and get_repo(src) is not None:
            ref = "HEAD"
    if src.startswith(tempfile.gettempdir().rstrip("/") + "/copier."):
        raise TemplateNotFound(f"{value} is a temporary copy; pass the template it came from")
    return TemplateSource(src, ref, origin)


# --------------------------------------------------------------------------- opening a version


@contextlib.contextmanager
def checked_out(source: TemplateSource) -> Iterator[Path]:
    """The template's files at ``source.vcs_ref``: the directory itself for a local path at HEAD
    (uncommitted changes included, as Copier renders them), else Copier's own clone, removed on
    exit."""
    local = source.local_path
    if local is not None and (source.vcs_ref in (None, "HEAD") or not source.is_git):
        yield local
        return
    template = Template(url=source.src, ref=source.vcs_ref)
    try:
        yield template.local_abspath
    finally:
        template._cleanup()


def clean_head(source: TemplateSource) -> Path | None:
    """The checkout itself, when rendering it directly gives what Copier's clone of it would.

    For a local git checkout Copier clones the whole repository into a temporary directory, checks
    out every file (examples and tests included) and deletes it all afterwards: most of a render's
    wall time on plinth's own checkout. The clone holds HEAD's tracked files, plus the working
    tree's changes when ``git status --porcelain`` shows any (Copier's own test). So at HEAD, with
    nothing to show and no ignored files under ``subdirectory`` (which Copier would copy from the
    checkout but a clone lacks), the checkout is the same tree at the same commit; ``git describe``
    and the index's file modes, which Copier reads from its clone, read the same there. None
    otherwise: another ref (None is the latest tag), a dirty checkout, a URL, not a git repository.
    """
    local = source.local_path
    if local is None or source.vcs_ref != "HEAD" or not (local / CONFIG_NAME).is_file():
        return None  # (a copier.yaml template goes through the clone too: plinth reads .yml)
    if not source.is_git:
        return None
    git = ["git", "-C", str(local)]
    status = subprocess.run(
        [*git, "status", "--porcelain"], capture_output=True, text=True, check=False
    )
    if status.returncode != 0 or status.stdout.strip():
        return None
    subdirectory = str(load_config(local).get("_subdirectory", "") or ".")
    if "{" in subdirectory:  # templated: its value is not known here
        subdirectory = "."
    ignored = subprocess.run(
        [*git, "ls-files", "--others", "-z", "--", subdirectory],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if ignored.returncode != 0 or ignored.stdout:
        return None
    return local


class _Worker(Worker):
    """Copier's ``Worker``, with a Jinja environment that compiles each distinct string once.

    Copier compiles the same strings again wherever it renders them (a question's ``type``,
    ``{{package_name}}``: 1,011 compiles of 211 distinct strings for the default service, RULES
    C32). A compiled template depends only on its source and the environment's settings, which
    do not change once the environment is made; each render still gets a fresh ``Template`` with
    its own context.
    """

    @cached_property
    def jinja_env(self) -> Any:
        env = super().jinja_env
        compile_ = env.compile
        compiled: dict[tuple[Any, ...], Any] = {}

        def compile_once(
            source: Any,
            name: str | None = None,
            filename: str | None = None,
            raw: bool = False,
            defer_init: bool = False,
        ) -> Any:
            if not isinstance(source, str):  # a parsed tree, or a value Copier tries (`True`)
                return compile_(source, name, filename, raw, defer_init)
            key = (source, name, filename, raw, defer_init)
            if key not in compiled:
                compiled[key] = compile_(source, name, filename, raw, defer_init)
            return compiled[key]

        env.compile = compile_once
        return env


class _NewWorker(_Worker):
    """``_Worker`` for a destination that holds no files yet.

    Copier starts one ``git config`` per rendered file to carry executable bits into the
    destination repository's index; by its own docstring that does nothing for a file git does
    not track yet, which is every file of a new service.
    """

    def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
        return None


def _copier_as_known() -> bool:
    """Copier still has the cached properties and hooks ``open_worker`` pre-sets (9.19). They are
    not Copier's public API: with a Copier that lacks one, plinth renders through Copier's
    ``Worker`` untouched (cloning the checkout, as ``copier copy`` does) instead of failing."""
    checks = [
        (Worker, "template"), (Worker, "jinja_env"),
        (Template, "local_abspath"), (Template, "_raw_config"),
    ]  # fmt: skip
    return (
        all(
            isinstance(inspect.getattr_static(cls, name, None), cached_property)
            for cls, name in checks
        )
        and callable(getattr(Worker, "_sync_git_index_executable_bit", None))
        and "_cleanup_hooks" in getattr(Worker, "__dataclass_fields__", {})
    )


_COPIER_AS_KNOWN = _copier_as_known()


def open_worker(source: TemplateSource, dst: Path, *, new: bool = False, **options: Any) -> Worker:
    """Copier's ``Worker`` for ``source``, rendering ``clean_head``'s checkout in place when it
    can (``_src_path`` and ``_commit`` are still the checkout and its commit). ``new``: ``dst``
    holds no tracked files (``plinth new``, a preview), see ``_NewWorker``. Use it as Copier's
    own: ``with open_worker(...) as worker: worker.run_copy()``."""
    if not _COPIER_AS_KNOWN:  # another Copier: its own clone and its own renders, only slower
        return Worker(src_path=source.src, vcs_ref=source.vcs_ref, dst_path=dst, **options)
    worker = (_NewWorker if new else _Worker)(
        src_path=source.src, vcs_ref=source.vcs_ref, dst_path=dst, **options
    )
    template = Template(url=source.src, ref=source.vcs_ref)
    if (root := clean_head(source)) is not None:
        template.__dict__["local_abspath"] = root
        if [p.name for p in root.glob("copier.*")] == [CONFIG_NAME]:  # what Copier would read
            template.__dict__["_raw_config"] = load_config(root)
    worker.__dict__["template"] = template
    worker._cleanup_hooks.append(template._cleanup)  # removes a clone, never a checkout
    return worker


def run_copy(source: TemplateSource, dst: Path, **options: Any) -> Worker:
    """``copier.run_copy`` of ``source`` into a new directory ``dst``, through ``open_worker``."""
    with open_worker(source, dst, new=True, **options) as worker:
        worker.run_copy()
    return worker


_configs: dict[tuple[str, str], dict[str, Any]] = {}


def load_config(root: Path) -> dict[str, Any]:
    """copier.yml as Copier reads it (``!include`` resolved), a copy of one parse per content:
    Copier's loader is PyYAML's pure-Python one (about 0.07 s for plinth's copier.yml), and
    ``plinth new`` needs the file three times (questions, ``clean_head``, Copier's own read). A
    file with ``!include`` is parsed each time (the included files are not in the key)."""
    path = root / CONFIG_NAME
    text = path.read_bytes()
    if b"!include" in text:
        return load_template_config(path, quiet=True)
    key = (str(path.resolve()), hashlib.sha256(text).hexdigest())
    if key not in _configs:
        _configs[key] = load_template_config(path, quiet=True)
    return copy.deepcopy(_configs[key])


# --------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Choice:
    label: str
    value: Any
    validator: str = ""


@dataclass(frozen=True)
class Question:
    """One question of copier.yml, as written there (templated strings stay templates)."""

    key: str
    type: str
    help: str
    default: Any
    choices: tuple[Choice, ...]
    multiselect: bool
    when: Any
    validator: str
    secret: bool
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def computed(self) -> bool:
        """Never asked and never stored: ``when: false`` in copier.yml."""
        return self.when is False or (isinstance(self.when, str) and self.when.lower() == "false")

    @property
    def values(self) -> list[Any]:
        return [c.value for c in self.choices]


def _question(key: str, details: Mapping[str, Any]) -> Question:
    raw_choices = details.get("choices") or {}
    items = (
        raw_choices.items() if isinstance(raw_choices, Mapping) else [(c, c) for c in raw_choices]
    )
    choices = []
    for label, value in items:
        if isinstance(value, Mapping):
            choices.append(Choice(str(label), value["value"], value.get("validator", "")))
        else:
            choices.append(Choice(str(label), value))
    return Question(
        key=key,
        type=str(details.get("type", "str")),
        help=str(details.get("help", "")).strip(),
        default=details.get("default"),
        choices=tuple(choices),
        multiselect=bool(details.get("multiselect", False)),
        when=details.get("when", True),
        validator=str(details.get("validator", "")),
        secret=bool(details.get("secret", False)),
        raw=details,
    )


def questions_from_config(config: Mapping[str, Any]) -> list[Question]:
    """Every question of a loaded copier.yml, in order (settings such as ``_tasks`` dropped)."""
    _, questions_data = filter_config(dict(config))
    return [_question(key, details) for key, details in questions_data.items()]


def load_questions(root: Path) -> list[Question]:
    return questions_from_config(load_config(root))


# --------------------------------------------------------------------------- Copier's questionnaire


class Refused(ValueError):
    """Copier refused an answer; the message is Copier's (the validator's reason)."""


@dataclass
class Resolved:
    """The outcome of Copier's questionnaire for one answer set, without prompting."""

    answers: dict[str, Any]  # every answer Copier stores (computed and hidden ones left out)
    computed: dict[str, Any]  # copier.yml's `when: false` values (server_spec, interface, ...)
    unanswered: list[str]  # asked questions neither given nor locked: they took their default


def resolve_answers(
    source: TemplateSource,
    data: Mapping[str, Any],
    *,
    dst: Path | None = None,
) -> Resolved:
    """Run Copier's questionnaire for ``data`` with defaults for the rest and no prompt.

    It is Copier's own code (``Worker._ask``): types are cast, choices and validators apply, and a
    refused answer raises ``Refused`` with Copier's message. ``dst`` is where ``_external_data``
    files are read from (a service, or a destination already holding ``.plinth/preset.yml``).
    """
    with contextlib.ExitStack() as stack:
        if dst is None:
            dst = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="plinth-resolve-")))
        worker = open_worker(source, dst, data=dict(data), defaults=True, quiet=True, unsafe=True)
        stack.enter_context(worker)
        from copier._types import Phase

        try:
            with Phase.use(Phase.PROMPT), warnings.catch_warnings():
                # A service without .plinth/preset.yml: Copier warns, and reads it as empty.
                warnings.filterwarnings("ignore", message="File not found; returning empty dict")
                worker._ask()
        except ValueError as error:
            raise Refused(str(error)) from error
        answers = worker.answers
        hidden = set(answers.hidden)
        combined = {
            k: v for k, v in answers.user.items() if not k.startswith("_") and k not in hidden
        }
        literal = {q.key for q in questions_from_config(worker.template._raw_config) if q.computed}
        computed = {k: v for k, v in answers.user.items() if k in literal}
        unanswered = [k for k in combined if k not in data]
        return Resolved(answers=combined, computed=computed, unanswered=unanswered)


# --------------------------------------------------------------------------- compatibility


@dataclass(frozen=True)
class Refusal:
    """A choice copier.yml disables when other answers take certain values."""

    question: str
    value: Any
    when: dict[str, Any]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"question": self.question, "value": self.value, "when": self.when,
                "reason": self.reason}  # fmt: skip


class _Validators:
    """Renders copier.yml's validators with Copier's own Jinja environment."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @cached_property
    def env(self) -> Any:
        worker = Worker(src_path=str(self.root), dst_path=Path(tempfile.gettempdir()))
        # A local path that is a git repository would be cloned; the environment only needs
        # the template's Jinja settings, which copier.yml at ``root`` holds.
        worker.__dict__["template"] = Template(url=str(self.root))
        worker.template.__dict__["vcs"] = None
        return worker.jinja_env

    def variables(self, source: str) -> set[str]:
        return meta.find_undeclared_variables(self.env.parse(source))

    def render(self, source: str, context: Mapping[str, Any]) -> str:
        return " ".join(self.env.from_string(source).render(**context).split())


def _domain(question: Question) -> list[Any]:
    """Every answer a choice question can take (non-empty subsets for a multiselect)."""
    if not question.multiselect:
        return question.values
    values = question.values
    return [
        list(combo)
        for size in range(1, len(values) + 1)
        for combo in itertools.combinations(values, size)
    ]


def _smaller(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """``a`` restricts no more than ``b``: equal single values, subsets for multiselects."""
    for key, value in a.items():
        other = b[key]
        if isinstance(value, list):
            if not set(value) <= set(other):
                return False
        elif value != other:
            return False
    return a != b


def refusals(root: Path, questions: Sequence[Question] | None = None) -> list[Refusal]:
    """The compatibility matrix: every (choice, other answers) that a per-choice validator in
    copier.yml refuses, with its reason. Only the answers a validator reads are varied, and for
    multiselect answers only the smallest refusing sets are kept (``kubernetes`` rather than
    every set containing it)."""
    questions = list(questions or load_questions(root))
    by_key = {q.key: q for q in questions}
    validators = _Validators(root)
    found: list[Refusal] = []
    for question in questions:
        for choice in question.choices:
            if not choice.validator:
                continue
            read = validators.variables(choice.validator)
            inputs = sorted(k for k in read if k in by_key and by_key[k].choices)
            rows: list[Refusal] = []
            for combo in itertools.product(*(_domain(by_key[k]) for k in inputs)):
                context = dict(zip(inputs, combo, strict=True))
                reason = validators.render(choice.validator, context)
                if reason:
                    rows.append(Refusal(question.key, choice.value, context, reason))
            found += [r for r in rows if not any(_smaller(o.when, r.when) for o in rows)]
    return found


# --------------------------------------------------------------------------- releases


@dataclass(frozen=True)
class Release:
    version: str
    commit: str
    date: str


def load_releases(root: Path) -> list[Release]:
    """``releases.yml`` at the template root (oldest first), or [] while it does not exist."""
    path = root / RELEASES_NAME
    if not path.is_file():
        return []
    entries = yaml.safe_load(path.read_text()) or []
    if isinstance(entries, Mapping):
        entries = entries.get("releases", [])
    return [Release(str(e["version"]), str(e["commit"]), str(e.get("date", ""))) for e in entries]
