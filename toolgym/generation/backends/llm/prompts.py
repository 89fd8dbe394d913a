"""The prompt templates, one per stage, shipped as package data (`prompts/<stage>.txt`) and versioned.

A template starts with `version: N` (raised by hand when its meaning changes) and has sections opened by
`=== <name>` lines (`system` and `user`, optionally a worked example in `example_user` and `example_assistant`;
`feedback.txt` has `invalid` and `repair`). Variables are written
`$name` (`string.Template`), so JSON braces need no escaping; a missing variable is an error, not a blank.
`prompt_versions()` gives each template's version and content hash, which the manifest records.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path
from string import Template

from toolgym.errors import ToolgymError

PROMPT_DIR = Path(__file__).with_name("prompts")
STAGES = ("decompose", "document", "scale", "deploy", "rewrite_question", "rewrite_tools", "feedback")


@lru_cache(maxsize=None)
def _template(stage: str) -> tuple[str, dict[str, Template]]:
    if stage not in STAGES:
        raise ToolgymError(f"no prompt template for stage {stage!r}; known: {', '.join(STAGES)}")
    text = (PROMPT_DIR / f"{stage}.txt").read_text(encoding="utf-8")
    head, _, body = text.partition("\n")
    if not head.startswith("version: "):
        raise ToolgymError(f"prompt template {stage}.txt must start with 'version: N'")
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.splitlines():
        if line.startswith("=== "):
            current = sections.setdefault(line[4:].strip(), [])
        elif current is not None:
            current.append(line)
    return head.removeprefix("version: ").strip(), {k: Template("\n".join(v).strip()) for k, v in sections.items()}


def render(stage: str, **variables: object) -> list[dict[str, str]]:
    """The opening chat messages of `stage` with `variables` filled in: system, then the template's worked
    example as a user turn and an assistant turn when it has one (`example_user`, `example_assistant`: small
    models follow a shown reply far better than a described one), then user."""
    _, sections = _template(stage)
    messages = [{"role": "system", "content": sections["system"].substitute(variables)}]
    if "example_user" in sections:
        messages += [{"role": "user", "content": sections["example_user"].template},
                     {"role": "assistant", "content": sections["example_assistant"].template}]
    return [*messages, {"role": "user", "content": sections["user"].substitute(variables)}]


def feedback(kind: str, problem: str) -> dict[str, str]:
    """The user message sent back after an unusable reply (`invalid`) or failing code (`repair`)."""
    _, sections = _template("feedback")
    return {"role": "user", "content": sections[kind].substitute(problem=problem)}


def prompt_versions() -> dict[str, str]:
    """Stage -> '<version>+<first 12 hex of the template's SHA-256>' (what a run's manifest records)."""
    return {stage: f"{_template(stage)[0]}+"
                   f"{hashlib.sha256((PROMPT_DIR / f'{stage}.txt').read_bytes()).hexdigest()[:12]}"
            for stage in STAGES}
