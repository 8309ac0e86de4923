"""How `plinth new` hands the template to Copier (RULES C36): a clean local checkout at HEAD is
rendered in place, with no temporary clone, and the service still records the checkout (never a
temporary copy) and its commit; anything else goes through Copier's clone as before."""

from __future__ import annotations

import filecmp
import subprocess
from pathlib import Path

import copier
import pytest
import yaml
from cli_helpers import plinth
from copier import _template
from helpers import git

from plinth.template import TemplateSource, clean_head

NO_LOCK = ["--data", "uv_lock=false"]


def tiny_template(root: Path) -> Path:
    """A committed template like plinth's: copier.yml with a subdirectory, an ignore file."""
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text("_subdirectory: template\nname:\n  default: x\n")
    (root / "template" / "{{name}}.txt.jinja").write_text("{{ name }}\n")
    answers = root / "template" / "{{_copier_conf.answers_file}}.jinja"
    answers.write_text("{{ _copier_answers|to_nice_yaml -}}\n")
    (root / ".gitignore").write_text("*.pyc\n.venv/\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "template")
    return root


def source(root: Path, ref: str | None = "HEAD") -> TemplateSource:
    return TemplateSource(str(root), ref, "--template")


def test_only_a_clean_checkout_at_head_renders_in_place(tmp_path: Path) -> None:
    root = tiny_template(tmp_path / "tpl")
    assert clean_head(source(root)) == root
    (root / ".venv").mkdir()  # ignored, outside the subdirectory: Copier never reads it
    (root / ".venv" / "x.pyc").write_bytes(b"")
    assert clean_head(source(root)) == root
    assert clean_head(source(root, None)) is None  # Copier renders the latest tag
    assert clean_head(source(root, git(root, "rev-parse", "HEAD").strip())) is None
    assert clean_head(TemplateSource("gh:acme/plinth", "HEAD", "--template")) is None
    assert clean_head(source(tmp_path)) is None  # no copier.yml there

    (root / "template" / "stray.pyc").write_bytes(b"")  # ignored, but Copier would copy it
    assert clean_head(source(root)) is None
    (root / "template" / "stray.pyc").unlink()
    (root / "notes.txt").write_text("untracked\n")  # Copier's clone would commit it
    assert clean_head(source(root)) is None
    (root / "notes.txt").unlink()
    (root / "copier.yml").write_text("_subdirectory: template\nname:\n  default: y\n")
    assert clean_head(source(root)) is None


def test_new_from_a_clean_checkout_renders_it_in_place(
    template_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same files and answers as Copier's own copy (which clones), no clone, the checkout left
    as it was, and `_src_path`/`_commit` name the checkout and its commit."""
    checkout = tmp_path / "checkout"
    subprocess.run(["git", "clone", "-q", str(template_repo), str(checkout)], check=True)
    reference = tmp_path / "reference"
    copier.run_copy(str(checkout), reference, data={"project_name": "Orders", "uv_lock": False},
                    vcs_ref="HEAD", defaults=True, unsafe=True, quiet=True)  # fmt: skip

    def no_clone(*args: object, **kwargs: object) -> str:
        raise AssertionError("plinth cloned a clean checkout")

    monkeypatch.setattr(_template, "clone", no_clone)
    dest = tmp_path / "orders"
    result = plinth("new", str(dest), "--yes", "--trust", "-d", "project_name=Orders", *NO_LOCK,
                    template=checkout)  # fmt: skip
    assert result.exit_code == 0, result.output

    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["_src_path"] == str(checkout)
    assert recorded["_commit"] == git(checkout, "describe", "--tags", "--always").strip()
    assert git(checkout, "status", "--porcelain", "--ignored") == ""
    files = sorted(p.relative_to(dest) for p in dest.rglob("*"))
    assert files == sorted(p.relative_to(reference) for p in reference.rglob("*"))
    regular = [str(f) for f in files if (dest / f).is_file()]
    _, mismatch, errors = filecmp.cmpfiles(reference, dest, regular, shallow=False)
    assert (mismatch, errors) == ([], [])
    for name in regular:  # executable bits too, which Copier takes from the template's index
        assert (dest / name).stat().st_mode == (reference / name).stat().st_mode, name


def test_new_from_a_dirty_checkout_still_goes_through_copiers_clone(tmp_path: Path) -> None:
    root = tiny_template(tmp_path / "tpl")
    (root / "template" / "{{name}}.txt.jinja").write_text("{{ name }} changed\n")
    dest = tmp_path / "out"
    result = plinth("new", str(dest), "--yes", "--trust", template=root)
    assert result.exit_code == 0, result.output
    assert (dest / "x.txt").read_text() == "x changed\n"
    assert "uncommitted changes" in result.output
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["_src_path"] == str(root)
    assert root.is_dir() and (root / ".git").is_dir()


def test_a_service_rendered_in_place_updates_from_its_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`copier update` follows `_src_path` back to the checkout and renders its next commit."""
    root = tiny_template(tmp_path / "tpl")
    dest = tmp_path / "svc"
    with monkeypatch.context() as patched:
        patched.setattr(_template, "clone", lambda *a, **k: pytest.fail("cloned"))
        result = plinth("new", str(dest), "--yes", "--trust", template=root)
    assert result.exit_code == 0, result.output
    git(dest, "init", "-q", "-b", "main")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "generated")
    (root / "template" / "{{name}}.txt.jinja").write_text("{{ name }} v2\n")
    git(root, "commit", "-q", "-am", "v2")
    copier.run_update(dest, vcs_ref="HEAD", defaults=True, overwrite=True, unsafe=True,
                      quiet=True)  # fmt: skip
    assert (dest / "x.txt").read_text() == "x v2\n"
    recorded = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert recorded["_commit"] == git(root, "describe", "--tags", "--always").strip()
    assert recorded["_src_path"] == str(root)


def test_another_copier_renders_through_its_own_worker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-place render pre-sets Copier 9.19's internals; where they differ, plinth falls back
    to Copier's untouched Worker (its clone) and renders the same service."""
    from plinth import template as plinth_template

    root = tiny_template(tmp_path / "tpl")
    monkeypatch.setattr(plinth_template, "_COPIER_AS_KNOWN", False)
    worker = plinth_template.run_copy(source(root), tmp_path / "svc", defaults=True, quiet=True)
    assert type(worker) is plinth_template.Worker
    assert (tmp_path / "svc" / "x.txt").read_text() == "x\n"
    answers = yaml.safe_load((tmp_path / "svc" / ".copier-answers.yml").read_text())
    assert answers["_src_path"] == str(root)
