"""Organisation presets: a committed YAML file of default answers, some of them locked.

    name: acme-platform          # shown in messages
    answers:                     # any copier.yml question key -> value (defaults for plinth new)
      framework: fastapi
    locked:                      # key -> the platform team's reason; the preset's value is enforced
      framework: Every service here is FastAPI; ask #platform first.

``plinth new --preset FILE`` stores it in the service at ``.plinth/preset.yml``; copier.yml reads
that file (``_external_data``) and every asked question's validator refuses a locked answer, so
the refusal is Copier's, on ``plinth new`` and on a plain ``copier update`` alike.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from plinth.template import Question

PRESET_PATH = Path(".plinth") / "preset.yml"


class PresetError(ValueError):
    """A preset file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Preset:
    name: str
    answers: dict[str, Any] = field(default_factory=dict)
    locked: dict[str, str] = field(default_factory=dict)
    text: str = ""  # the file as committed, stored in the service byte for byte

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "answers": self.answers, "locked": self.locked}


def parse(text: str, origin: str, questions: Sequence[Question] = ()) -> Preset:
    """Read and check a preset: keys must be copier.yml questions, each locked key needs its
    value in ``answers``."""
    try:
        raw = yaml.safe_load(text) or {}
    except yaml.YAMLError as error:
        raise PresetError(f"{origin} is not valid YAML: {error}") from error
    if not isinstance(raw, Mapping):
        raise PresetError(f"{origin} must be a mapping with name, answers and locked")
    unknown_top = set(raw) - {"name", "answers", "locked"}
    if unknown_top:
        raise PresetError(f"{origin}: unknown keys {sorted(unknown_top)} (name, answers, locked)")
    answers = dict(raw.get("answers") or {})
    locked = {str(k): str(v).strip() for k, v in (raw.get("locked") or {}).items()}
    if questions:
        known = {q.key for q in questions if not q.computed}
        for section, keys in (("answers", answers), ("locked", locked)):
            if bad := sorted(set(keys) - known):
                raise PresetError(
                    f"{origin}: {section} names {', '.join(bad)}, which copier.yml does not ask "
                    f"(questions: {', '.join(sorted(known))})"
                )
    if missing := sorted(set(locked) - set(answers)):
        raise PresetError(f"{origin}: locked {', '.join(missing)} without a value in answers")
    return Preset(str(raw.get("name") or Path(origin).stem), answers, locked, text)


def load(path: Path, questions: Sequence[Question] = ()) -> Preset:
    try:
        text = path.read_text()
    except OSError as error:
        raise PresetError(f"cannot read the preset {path}: {error.strerror}") from error
    return parse(text, str(path), questions)


def read_from(project: Path) -> Preset | None:
    """The preset a service carries, or None."""
    path = project / PRESET_PATH
    return parse(path.read_text(), str(path)) if path.is_file() else None


def store(preset: Preset, project: Path) -> Path:
    """Write the preset into the service, where copier.yml's ``_external_data`` reads it."""
    path = project / PRESET_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(preset.text if preset.text else yaml.safe_dump(preset.as_dict()))
    return path
