"""``plinth options``: every question of copier.yml and the compatibility matrix, derived at run
time from copier.yml (its questions as written, its per-choice validators evaluated).

JSON format ``plinth.options/1`` (README, "plinth options --json"):
``{"format", "template": {"src", "ref"}, "questions": [{"key", "type", "help", "default",
"choices": [{"label", "value"}], "multiselect", "when", "asked", "validator"}],
"computed": [keys], "refusals": [{"question", "value", "when": {key: value}, "reason"}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

import typer

from plinth import console
from plinth.template import (
    Question,
    TemplateNotFound,
    TemplateSource,
    checked_out,
    find_template,
    load_questions,
    refusals,
)

FORMAT = "plinth.options/1"


def question_dict(q: Question) -> dict[str, Any]:
    return {
        "key": q.key,
        "type": q.type,
        "help": q.help,
        "default": q.default,
        "choices": [{"label": c.label, "value": c.value} for c in q.choices],
        "multiselect": q.multiselect,
        "when": q.when,
        "asked": not q.computed,
        "validator": q.validator.strip(),
    }


def document(source: TemplateSource) -> dict[str, Any]:
    with checked_out(source) as root:
        questions = load_questions(root)
        matrix = refusals(root, questions)
    return {
        "format": FORMAT,
        "template": {"src": source.src, "ref": source.vcs_ref},
        "questions": [question_dict(q) for q in questions if not q.computed],
        "computed": [q.key for q in questions if q.computed],
        "refusals": [r.as_dict() for r in matrix],
    }


def refusal_for(
    doc: Mapping[str, Any], question: str, value: Any, answers: Mapping[str, Any]
) -> str | None:
    """copier.yml's reason for refusing ``question=value`` given ``answers`` (which may be
    partial: a refusal that depends on an answer not given yet does not apply), from the
    ``refusals`` of a plinth.options/1 document; None when the choice is open."""
    for refusal in doc["refusals"]:
        if refusal["question"] != question or refusal["value"] != value:
            continue
        if all(_matches(answers.get(k), v) for k, v in refusal["when"].items()):
            return refusal["reason"]
    return None


def _matches(given: Any, refused: Any) -> bool:
    if given is None:
        return False
    if isinstance(refused, list):
        return set(refused) <= set(given if isinstance(given, list | tuple) else [given])
    return bool(given == refused)


def options(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the plinth.options/1 JSON.")
    ] = False,
    template: Annotated[
        str | None, typer.Option("--template", help="Template SRC (default: plinth's own).")
    ] = None,
) -> None:
    """List every question, its choices, defaults and help, and the refused combinations."""
    try:
        doc = document(find_template(template))
    except TemplateNotFound as error:
        console.fail(str(error), as_json=as_json)
    if as_json:
        console.emit_json(doc)
        return
    out = console.out
    for q in doc["questions"]:
        out.print(f"{q['key']} ({q['type']}{', several' if q['multiselect'] else ''})")
        if q["help"]:
            out.print(f"  {q['help']}")
        if q["choices"]:
            values = ", ".join(str(c["value"]) for c in q["choices"])
            out.print(f"  choices: {values}")
        out.print(f"  default: {q['default']}")
        if q["when"] is not True:
            out.print(f"  asked when: {q['when']}")
    out.print("\nRefused combinations (copier.yml's validators)")
    for r in doc["refusals"]:
        when = ", ".join(f"{k}={_fmt(v)}" for k, v in r["when"].items())
        out.print(f"  {r['question']}={r['value']} with {when}: {r['reason']}")


def _fmt(value: Any) -> str:
    return ",".join(value) if isinstance(value, list) else str(value)
