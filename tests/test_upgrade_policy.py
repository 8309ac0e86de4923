"""The upgrade policy (docs/releasing.md), checked against the recorded releases: releases.yml,
the CHANGELOG and the tags agree; no answer key or choice value of a release is gone without a
migration; a question added since the latest release defaults to the previous behaviour; the
template has nothing that makes Copier ask for --trust."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from typing import Any

import pytest
import yaml
from helpers import REPO_ROOT, git
from history import copier_config, releases

pytestmark = pytest.mark.update

# Questions added since the latest release, each with the answer that keeps what a service
# generated at that release already does. A new question must be listed here.
NEW_QUESTIONS: dict[str, Any] = {
    "scheduled_update": False,  # no template-update workflow until the team asks for one
}

HEADING = re.compile(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", re.MULTILINE)


def head_config() -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "copier.yml").read_text())


def questions(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {key: value for key, value in config.items() if not key.startswith("_")}


def choice_values(question: dict[str, Any]) -> set[str]:
    choices = question.get("choices") or {}
    values = choices.values() if isinstance(choices, dict) else choices
    return {str(v["value"] if isinstance(v, dict) else v) for v in values}


def migrated_keys(config: dict[str, Any]) -> str:
    """Everything the `_migrations` entries say (a renamed or removed key must appear there)."""
    return yaml.safe_dump(config.get("_migrations", []))


def test_releases_are_ordered_commits_of_this_history() -> None:
    rows = releases()
    assert rows, "releases.yml records no release"
    keys = [r.key for r in rows]
    assert keys == sorted(keys) and len(set(keys)) == len(keys), "versions must increase"
    for release in rows:
        assert re.fullmatch(r"\d+\.\d+\.\d+", release.version), release.version
        assert re.fullmatch(r"[0-9a-f]{40}", release.commit), release.commit
        stamp = git(REPO_ROOT, "log", "-1", "--format=%ct", release.commit).strip()
        made = datetime.fromtimestamp(int(stamp), tz=UTC).date()
        assert release.date == made, f"{release.version}: date {release.date}, commit made {made}"
    for older, newer in itertools.pairwise(rows):
        git(REPO_ROOT, "merge-base", "--is-ancestor", older.commit, newer.commit)
    git(REPO_ROOT, "merge-base", "--is-ancestor", rows[-1].commit, "HEAD")


def test_tags_that_exist_point_at_their_release() -> None:
    for release in releases():
        listed = git(REPO_ROOT, "tag", "--list", release.tag).strip()
        if listed:
            tagged = git(REPO_ROOT, "rev-parse", f"{release.tag}^{{commit}}").strip()
            assert tagged == release.commit, (
                f"{release.tag} is {tagged}, releases.yml says {release.commit}"
            )


def test_changelog_has_one_section_per_release_newest_first() -> None:
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    headings = HEADING.findall(changelog)
    assert headings and headings[0] == ("Unreleased", ""), "## [Unreleased] must come first"
    recorded = [(r.version, r.date.isoformat()) for r in reversed(releases())]
    assert headings[1:] == recorded, f"CHANGELOG headings {headings[1:]} != releases.yml {recorded}"


def test_every_release_section_names_what_service_owners_must_know() -> None:
    """Each release but the first has a 'Changed for service owners' list."""
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    sections = re.split(r"^(?=## \[)", changelog, flags=re.MULTILINE)
    for release in releases()[1:]:
        section = next(s for s in sections if s.startswith(f"## [{release.version}]"))
        assert "### Changed for service owners" in section, release.version


@pytest.mark.parametrize("release", releases(), ids=lambda r: r.version)
def test_no_answer_key_or_choice_of_a_release_is_gone(release: Any) -> None:
    head = head_config()
    migrations = migrated_keys(head)
    now = questions(head)
    for key, question in questions(copier_config(release.commit)).items():
        if key not in now:
            assert key in migrations, (
                f"{key!r} (asked in {release.version}) is gone from copier.yml without a "
                "_migrations entry: old answer files and --data scripts name it"
            )
            continue
        assert question.get("type") == now[key].get("type"), f"{key}: type changed"
        gone = choice_values(question) - choice_values(now[key])
        assert not gone or all(value in migrations for value in gone), (
            f"{key}: choices {sorted(gone)} of {release.version} are gone without a migration"
        )


def test_new_questions_default_to_the_previous_behaviour() -> None:
    latest = questions(copier_config(releases()[-1].commit))
    now = questions(head_config())
    # Computed values (`when: false`) are never asked nor stored: only questions count.
    added = sorted(key for key in set(now) - set(latest) if now[key].get("when") is not False)
    assert added == sorted(NEW_QUESTIONS), (
        f"questions added since {releases()[-1].version}: {added}; list each in NEW_QUESTIONS "
        "with the answer that keeps the previous behaviour"
    )
    for key, previous in NEW_QUESTIONS.items():
        assert now[key].get("default") == previous, (
            f"{key} must default to {previous!r} so `copier update --defaults` changes nothing"
        )


def test_updates_need_no_trust() -> None:
    """No _tasks and no Jinja extensions; a _migrations entry only where its release's notes say
    that one update needs --trust."""
    head = head_config()
    assert not head.get("_tasks"), "_tasks make every copier update need --trust"
    assert not head.get("_jinja_extensions"), "Jinja extensions make copier update need --trust"
    changelog = (REPO_ROOT / "CHANGELOG.md").read_text()
    for migration in head.get("_migrations", []):
        version = str(migration.get("version"))
        section = changelog.split(f"## [{version.removeprefix('v')}]", 1)[-1].split("\n## [", 1)[0]
        assert "--trust" in section, f"the {version} migration needs --trust: say so in its notes"
