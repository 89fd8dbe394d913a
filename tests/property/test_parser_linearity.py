"""Every parser reads hostile completions in linear time: the work for an adversarial input 8x longer grows about
8x, never 64x (quadratic) or worse. Growth ratios in one process, minimum of several runs, a generous bound: robust
on a shared, noisy machine, and still far below what a quadratic parser shows (tested against the old code)."""

from __future__ import annotations

import time

import pytest

from toolgym.parsing import PARSERS, parse_action
from toolgym.parsing.ftrl import FtrlParser

ALL_PARSERS = {**PARSERS, "ftrl": FtrlParser()}  # the ftrl preset's reading too: model output is hostile there

SMALL = 16_000      # characters: large enough that a parse takes measurable time
GROWTH = 8          # the large input is GROWTH times the small one
MAX_RATIO = 20      # linear: 8-9 measured; quadratic: ~64 (the old Hermes parser: 15-42); cubic: ~512
REPEATS = 5
FLOOR_S = 1e-4      # below this a time is noise; a superlinear parse takes longer than this on the small input

# (prefix, repeated unit, suffix): each repeats a piece that once sent some parser into superlinear work.
ADVERSARIAL = [
    ("```", " ", "x"),                          # a fence then blanks: the old fence regex was cubic
    ("```", "a", " x"),                         # a long info string after a fence: quadratic
    ("<tool_call>```", " ", "</tool_call>"),    # the same inside a Hermes tag
    ("", "<tool_call>", ""),                    # many unclosed tags: each searched the rest for a close tag
    ("", "<tool_call>{", ""),
    ('<tool_call>{"a', '<tool_call>{":1,"a', ""),  # one block's JSON string swallowing every later tag
    ("", "</tool_call>", ""),
    ("", "<think>", ""), ("", "</think>x<think>", ""), ("<think>", "a</think>b<think>", ""),
    ("[TOOL_CALLS]", "[TOOL_CALLS]", ""), ("", "[TOOL_CALLS]f[ARGS]", ""), ("[TOOL_CALLS][", "{", ""),
    ("<|python_tag|>", "{", ""), ('{"name": "f", "parameters": ', "[", ""), ("", '{"name": "f"};', ""),
    ("[", "f(", ""), ("[f(x='", "a", ""), ("", "[f(x=1), ", ""), ("", "\n[a", ""), ("[f(x=", "(", ""),
    ("[f(x=1)]", "\n[f(", ""), ("", "1", ""), ("", " ", ""),
]


def _text(prefix: str, unit: str, suffix: str, size: int) -> str:
    return prefix + unit * (size // len(unit)) + suffix


def _seconds(parser, text: str) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        parse_action(text, parser)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(ALL_PARSERS))
def test_parsers_are_linear_on_adversarial_inputs(name):
    parser = ALL_PARSERS[name]
    worst = []
    for case in ADVERSARIAL:
        small = _seconds(parser, _text(*case, SMALL))
        large = _seconds(parser, _text(*case, SMALL * GROWTH))
        worst.append((large / max(small, FLOOR_S), case))
    ratio, case = max(worst)
    assert ratio < MAX_RATIO, f"{name}: {GROWTH}x the input took {ratio:.0f}x the time on {case!r}"
