"""The step's fast paths give exactly what the full paths give, on adversarial inputs: the Hermes parser's lean
reading against the full one (`TextParser.parse`), and whole episodes stepped with the lean reading against the
same episodes with it turned off."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.fixtures.tasks import multi_hop
from tests.property.test_parsing_props import SYNTAX, any_text, json_arguments, tool_names
from toolgym import ToolEnv
from toolgym.parsing import hermes
from toolgym.parsing.base import TextParser
from toolgym.parsing.hermes import HermesParser

FUZZ = settings(max_examples=300, deadline=None)
EPISODES = settings(max_examples=60, deadline=None)

TOOLS = ["flight_destination", "hotel_price", "nope"]
space = st.sampled_from(["", " ", "\n", "\t", "\r\n", "\u00a0", "\x0b", "  \n "])


@st.composite
def block(draw: st.DrawFn) -> str:
    """A `<tool_call>` block: mostly well formed (any name, any arguments, odd spacing), sometimes broken."""
    obj: object = {"name": draw(tool_names | st.sampled_from(TOOLS)), "arguments": draw(json_arguments)}
    if draw(st.booleans()):
        obj = draw(st.sampled_from([{"name": "f", "parameters": {"x": 1}}, {"name": " ", "arguments": {}},
                                    {"name": 3}, {"arguments": {}}, [1], "text", {"name": "f", "arguments": "{x"},
                                    {"name": "f", "arguments": None, "id": "c1"}, {"name": "f", "id": 7}]))
    body = json.dumps(obj, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
    if draw(st.integers(0, 4)) == 0:  # cut, doubled, fenced or tagged bodies
        body = draw(st.sampled_from([body[:len(body) // 2], body + body, f"```json\n{body}\n```",
                                     body + "</tool_call>", "<tool_call>" + body]))
    closing = draw(st.sampled_from(["</tool_call>"] * 4 + ["", "</tool_call></tool_call>"]))
    return f"<tool_call>{draw(space)}{body}{draw(space)}{closing}"


hermes_texts = st.lists(block() | any_text | st.sampled_from(SYNTAX) | space, max_size=6).map("".join)


def full_parse(text: str):
    return TextParser.parse(HermesParser(), text)


@FUZZ
@given(text=hermes_texts | any_text)
def test_the_lean_reading_is_the_full_reading(text):
    lean, full = HermesParser().parse(text), full_parse(text)
    assert lean == full
    assert [c.decoded for c in lean.calls] == [c.decoded for c in full.calls]  # not part of equality


def play(actions: list[str], lean: bool, monkeypatch: pytest.MonkeyPatch) -> list[object]:
    with monkeypatch.context() as patch:
        if not lean:
            patch.setattr(hermes, "_lean_parse", lambda text: None)
        env = ToolEnv([multi_hop()], parser="hermes", max_turns=len(actions) + 1)
        steps: list[object] = [env.reset(seed=0)]
        for action in actions:
            obs, reward, terminated, truncated, info = env.step(action)
            steps.append((obs, reward, terminated, truncated, info))
            if terminated or truncated:
                break
        steps.append(env.render())
    return steps


valid_call = st.sampled_from(['{"name": "flight_destination", "arguments": {"flight_no": "ZX-101"}}',
                              '{"name": "hotel_price", "arguments": {"city": "Velmora", "nights": 2}}',
                              '{"name": "hotel_price", "arguments": {"city": "Velmora", "nights": "2"}}',
                              '{"name": "flight_destination", "parameters": {"flight_no": "ZX-202"}}'])
turns = st.lists(st.lists(valid_call.map(lambda c: f"<tool_call>{c}</tool_call>") | block() | space,
                          min_size=1, max_size=4).map("".join) | hermes_texts, min_size=1, max_size=4)


@EPISODES
@given(actions=turns)
def test_episodes_step_alike_with_and_without_the_lean_reading(actions):
    monkeypatch = pytest.MonkeyPatch()
    assert play(actions, True, monkeypatch) == play(actions, False, monkeypatch)


def test_the_lean_reading_is_taken_for_well_formed_turns():
    text = '<tool_call> {"name": "f", "arguments": {"x": 1}}\n</tool_call>done'
    assert hermes._lean_parse(text) == full_parse(text)
    for odd in ("no call", "<think>x</think>" + text, text + "</tool_call>", "<tool_call>{bad}</tool_call>"):
        assert hermes._lean_parse(odd) is None
