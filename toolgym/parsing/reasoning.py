"""`<think>...</think>` reasoning, split off before any format looks for calls (so a call inside it is no call).

Reasoning blocks in the shapes chat templates and cut-off generations produce:
- `<think>R</think>`: R is the reasoning; the text before the block and after it is the answer;
- a `</think>` with no `<think>` before it closes a block the *prompt* opened (DeepSeek-R1, QwQ and the Qwen3
  "Thinking-2507" templates put `<think>` in the generation prompt, so the completion holds only the closing tag):
  the text before it is the reasoning. A text that starts with a stray `</think>` thus has no reasoning, and the
  tag is dropped;
- a `<think>` that opens the completion and is never closed (a generation cut off by the token limit) makes the
  rest reasoning, and is reported: the model never finished thinking, so nothing in it is read as an answer or a
  call, and the turn is not mistaken for a blank final answer. A `<think>` elsewhere that is never closed is
  literal text (it may sit inside a call's arguments) and is left alone;
- every later `<think>...</think>` block is reasoning too: only the text outside every block is the answer and
  the calls (a call or an answer inside a second block is neither). A stray `</think>` after the first tag is
  literal text. The one ambiguity left is inherent to the format: a literal think tag inside a call's arguments
  is read as a tag;
- blank reasoning is None, as when there is no think tag at all.
"""

from __future__ import annotations

import re

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"
UNCLOSED_THINK = (f"unclosed {THINK_OPEN}: the reasoning never ended with {THINK_CLOSE}, "
                  "so no answer or tool call was read after it")
REASONING_SEPARATOR = "\n\n"

_FIRST_TAG = re.compile(r"</?think>")


def split_reasoning(text: str) -> tuple[str, str | None, tuple[str, str] | None]:
    """Split `text` into (answer, reasoning, problem); `problem` is (fragment, reason) for an unclosed `<think>`.

    >>> split_reasoning("<think>2+2 is 4</think>It is 4.")
    ('It is 4.', '2+2 is 4', None)
    >>> split_reasoning("<think>a</think>It is <think>no, 5</think>4.")
    ('It is 4.', 'a\\n\\nno, 5', None)
    >>> split_reasoning("It is 4.")
    ('It is 4.', None, None)
    """
    if "think>" not in text:  # the common case costs one substring scan
        return text, None, None
    tag = _FIRST_TAG.search(text)
    if tag is None:
        return text, None, None
    answer: list[str] = []
    reasoning: list[str] = []
    position = 0
    if tag.group() == THINK_CLOSE:  # the prompt opened the first block
        reasoning.append(text[:tag.start()])
        position = tag.end()
    while (start := text.find(THINK_OPEN, position)) >= 0:
        close = text.find(THINK_CLOSE, start + len(THINK_OPEN))
        if close < 0:
            break
        answer.append(text[position:start])
        reasoning.append(text[start + len(THINK_OPEN):close])
        position = close + len(THINK_CLOSE)
    else:
        start = -1
    if start >= 0 and _opens_answer(text, answer, position, start):
        reasoning.append(text[start + len(THINK_OPEN):])
        return "".join(answer), join_reasoning(*reasoning), (text[start:], UNCLOSED_THINK)
    answer.append(text[position:])
    return "".join(answer), join_reasoning(*reasoning), None


def _opens_answer(text: str, answer: list[str], position: int, start: int) -> bool:
    """Whether an unclosed `<think>` at `start` comes before any answer text: the generation was cut off while
    thinking. Elsewhere it is literal text (it may sit inside a call's arguments)."""
    return not text[position:start].strip() and not any(part.strip() for part in answer)


def join_reasoning(*parts: str | None) -> str | None:
    """The non-blank reasoning parts, stripped and joined by a blank line, or None when there are none."""
    kept = [part.strip() for part in parts if part and not part.isspace()]
    return REASONING_SEPARATOR.join(kept) if kept else None
