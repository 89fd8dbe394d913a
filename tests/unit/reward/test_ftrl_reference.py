"""Differential test of `reward="ftrl"` against the FTRL reference, over a record in the paper's released format.

Every expected value is the reference's behaviour worked out by hand from its code (`parse_qwen`,
`answer_verify`, `call_function` / `get_feedback`, `compute_solve_f1`), restated here as numbers and texts: a turn
with n parsed calls of which s solve earns 2s / (n + 1); a turn without a call earns -0.5 (empty), -0.3 (a
`<tool_call>`, `</tool_call>` or `<tool_parsed_response>` left in it), 1 / (1 + U) (the whole answer is in it),
0.5 (all solved) or 0, and ends the episode. The classes are those of issue #8: reading calls, `<think>`, end
tokens, `<tool_parsed_response>`, final answers with ", ", no schema check (Python's own error text), rendering.
"""

from __future__ import annotations

import json

import pytest

from toolgym import ToolEnv
from toolgym.models.ftrl import task_from_ftrl

ANSWER = "Brazil, China"
U0 = 6
CODES = {
    "get_weather": "def get_weather(city, year=2024):\n"
                   "    return {'city': city, 'temperature': 21, 'year': year}\n",
    "count_items": "def count_items(items, unit):\n    return str(len(items)) + ' ' + unit\n",
    "pair": "def pair(a):\n    return (a, 'ok')\n",
    "ordered": "from collections import OrderedDict\n\ndef ordered(key):\n    return OrderedDict([(key, 7)])\n",
    "tags": "def tags(name):\n    return {'name': name, 'tags': {'a'}}\n",
}
SCHEMAS = {
    "get_weather": ({"city": {"type": "string"}, "year": {"type": "integer"}}, ["city"]),
    "count_items": ({"items": {"type": "array"}, "unit": {"type": "string"}}, ["items", "unit"]),
    "pair": ({"a": {"type": "string"}}, ["a"]),
    "ordered": ({"key": {"type": "string"}}, ["key"]),
    "tags": ({"name": {"type": "string"}}, ["name"]),
}
UNSOLVED = {"get_weather": ["Zorvik, 21", "Tarsk"], "count_items": ["1"], "pair": ["('x', 'ok')"],
            "ordered": ["OrderedDict"], "tags": ["not JSON serializable"]}


def released_record() -> dict:
    """One training record as the paper's data ships it: JSON strings in `tools`, `codes`, `unsolved_set`."""
    tools = [{"type": "function", "function": {"name": name, "description": f"The {name} tool.", "parameters": {
        "type": "object", "properties": properties, "required": required}}}
        for name, (properties, required) in SCHEMAS.items()]
    return {"messages": [{"role": "user", "content": "Use the tools.\nQuestion: Which two countries?"}],
            "tools": json.dumps(tools), "codes": json.dumps(CODES), "unsolved_set": json.dumps(UNSOLVED),
            "answer": ANSWER, "solve_rate": 0.0, "data_source": "self/multi_hop", "split": "train"}


def call(name: str, arguments: object) -> str:
    return f'<tool_call>{json.dumps({"name": name, "arguments": arguments})}</tool_call>'


WEATHER = call("get_weather", {"city": "Zorvik"})
WEATHER_TEXT = '{"city": "Zorvik", "temperature": 21, "year": 2024}'


@pytest.fixture
def env():
    env = ToolEnv([task_from_ftrl(released_record())], reward="ftrl", trust_code=True)
    env.reset(seed=0)
    yield env
    env.close()


def step(env: ToolEnv, action: str) -> tuple[float, bool, list[dict]]:
    """Reward, terminated, and the messages the turn added."""
    before = len(env.unwrapped._messages)
    obs, reward, terminated, _, _ = env.step(action)
    return reward, terminated, obs[before:]


def tool_texts(added: list[dict]) -> list[str]:
    return [m["content"] for m in added if m["role"] == "tool"]


# --- 1. reading calls --------------------------------------------------------------------------------------------

def test_an_unclosed_last_call_still_runs_and_the_episode_goes_on(env):
    reward, terminated, added = step(env, WEATHER.removesuffix("</tool_call>"))
    assert (reward, terminated, tool_texts(added)) == (1.0, False, [WEATHER_TEXT])  # n=1, s=1


def test_a_call_after_prose_is_dropped_silently(env):
    reward, terminated, added = step(env, f"First {WEATHER} then {call('pair', {'a': 'x'})}")
    assert (reward, terminated, tool_texts(added)) == (1.0, False, [WEATHER_TEXT])  # the pair call never ran
    assert added[0]["content"] == "First" and [m["role"] for m in added] == ["assistant", "tool"]  # no feedback


def test_calls_separated_by_blanks_all_run(env):
    reward, _, added = step(env, f"{WEATHER}\n\n{call('pair', {'a': 'x'})}  trailing words")
    assert reward == pytest.approx(2 * 2 / 3) and len(tool_texts(added)) == 2


@pytest.mark.parametrize("broken", [
    '<tool_call>{"name": "get_weather"}</tool_call>',                                   # no arguments
    '<tool_call>{"name": "get_weather", "arguments": null}</tool_call>',                # null arguments
    '<tool_call>{"name": "get_weather", "parameters": {"city": "Zorvik"}}</tool_call>',  # Llama's key
    '<tool_call>```json\n{"name": "get_weather", "arguments": {}}\n```</tool_call>',    # a code fence
    '<tool_call>{"name": "", "arguments": {}}</tool_call>',                             # blank name
    '<tool_call>[{"name": "get_weather", "arguments": {}}]</tool_call>',                # a list
    '<tool_call>{"name": "get_weather", "arguments": "{city"}</tool_call>',             # bad argument string
])
def test_a_turn_whose_only_call_cannot_be_read_is_malformed_and_ends(env, broken):
    assert step(env, broken) == (-0.3, True, [{"role": "assistant", "content": broken}])


def test_a_numeric_name_is_a_call_that_fails(env):
    reward, terminated, added = step(env, '<tool_call>{"name": 5, "arguments": {}}</tool_call>')
    assert (reward, terminated) == (0.0, False)  # n=1, s=0
    assert added[1]["name"] == "5" and added[1]["content"].startswith("an error occured when call 5:")


def test_arguments_given_as_a_json_string_are_decoded(env):
    reward, _, added = step(env, call("get_weather", json.dumps({"city": "Zorvik"})))
    assert (reward, tool_texts(added)) == (1.0, [WEATHER_TEXT])


# --- 2. <think> is ordinary text ------------------------------------------------------------------------------

def test_an_answer_inside_think_is_judged(env):
    assert step(env, f"<think>It is {ANSWER}.</think>")[:2] == (1 / (1 + U0), True)


def test_a_call_inside_think_runs(env):
    reward, terminated, added = step(env, f"<think>Weather first. {WEATHER}</think>")
    assert (reward, terminated, tool_texts(added)) == (1.0, False, [WEATHER_TEXT])


# --- 3. end-of-sequence tokens -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "reward"), [
    ("<|im_end|>", -0.5),
    ("<|im_end|><|endoftext|>", -0.5),
    (f"{ANSWER}<|im_end|>", 1 / (1 + U0)),
    ("<|endoftext|><|im_end|>", 0.0),   # stripped in the reference's order: <|endoftext|> stays, a wrong answer
])
def test_end_tokens_are_stripped_before_scoring(env, text, reward):
    assert step(env, text)[:2] == (reward, True)


# --- 4. <tool_parsed_response> -----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", [f"So: <tool_parsed_response>{ANSWER}</tool_parsed_response>",
                                  f"{ANSWER} </tool_call>"])
def test_leftover_markers_are_malformed_even_with_the_answer(env, text):
    assert step(env, text)[:2] == (-0.3, True)


# --- 5. the final answer is one whole substring ------------------------------------------------------------------

@pytest.mark.parametrize(("text", "reward"), [
    ("China and Brazil.", 0.0),                  # both parts, but not the whole answer: U > 0, so 0
    ("brazil China", 1 / (1 + U0)),              # case and commas are ignored
    ("Brazil,, China!", 1 / (1 + U0)),
])
def test_a_final_answer_with_a_comma_is_not_split(env, text, reward):
    assert step(env, text)[:2] == (reward, True)


def test_sub_answers_are_still_split_on_comma_space(env):
    assert step(env, WEATHER)[0] == 1.0  # "Zorvik, 21": both parts in the output


# --- 6. no schema check: the tool runs on whatever it gets --------------------------------------------------------

def test_a_schema_violating_call_runs_and_solves(env):
    reward, _, added = step(env, call("get_weather", {"city": "Zorvik", "year": None}))
    assert (reward, tool_texts(added)) == (1.0, ['{"city": "Zorvik", "temperature": 21, "year": null}'])


def test_pythons_error_text_comes_back_and_may_solve(env):
    reward, _, added = step(env, call("count_items", {"items": [1, 2]}))
    assert tool_texts(added) == ["an error occured when call count_items: "
                                 "count_items() missing 1 required positional argument: 'unit'"]
    assert reward == 1.0  # the "1" of the message solves the sub-answer "1"


@pytest.mark.parametrize(("arguments", "kind"), [("[1]", "list"), ("null", "NoneType"), ('"x"', "str")])
def test_arguments_that_are_no_object_fail_with_pythons_text(env, arguments, kind):
    _, _, added = step(env, call("count_items", arguments))
    assert tool_texts(added) == [f"an error occured when call count_items: utils.utils.count_items() argument "
                                 f"after ** must be a mapping, not {kind}"]


def test_an_unexpected_argument_fails_with_pythons_text(env):
    _, _, added = step(env, call("pair", {"a": "x", "b": 1}))
    assert tool_texts(added) == ["an error occured when call pair: pair() got an unexpected keyword argument 'b'"]


# --- 7. rendering ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "arguments", "text"), [
    ("pair", {"a": "x"}, "('x', 'ok')"),                                          # a tuple: str()
    ("ordered", {"key": "k"}, "OrderedDict([('k', 7)])"),                          # a dict subclass: str()
    ("tags", {"name": "n"}, "an error occured when call tags: Object of type set is not JSON serializable"),
])
def test_results_render_as_in_the_reference_and_solve(env, name, arguments, text):
    reward, _, added = step(env, call(name, arguments))
    assert (reward, tool_texts(added)) == (1.0, [text])


# --- a whole episode ---------------------------------------------------------------------------------------------

def test_an_off_nominal_episode_scores_like_the_reference(env):
    turns = [
        (f"<think>plan</think>{WEATHER} and {call('pair', {'a': 'x'})}", 1.0),          # 2nd dropped: 2*1/2
        (call("count_items", {"items": []}) + call("get_weather", {"city": "Tarsk", "year": "x"}), 4 / 3),
        (call("ordered", {"key": "k"}) + "\n" + call("tags", {"name": 1}) + call("nope", {}), 1.0),  # 2*2/4
        ("<|im_end|>" * 2 + "Brazil, China<|im_end|>", 0.5),  # only the trailing token goes; U=1
    ]
    for text, expected in turns:
        assert step(env, text)[0] == pytest.approx(expected), text
    metrics = env.unwrapped._verifier.metrics()
    assert metrics == pytest.approx({"solve_precision": 5 / 6, "solve_rate": 5 / 6, "solve_f1": 10 / 12})


# --- the default preset keeps its own semantics --------------------------------------------------------------------

def test_default_keeps_schema_checks_and_think_stripping():
    env = ToolEnv([task_from_ftrl(released_record())], reward="default", trust_code=True)
    env.reset(seed=0)
    _, _, added = step(env, call("get_weather", {"city": "Zorvik", "year": None}))
    assert tool_texts(added) == ["an error occured when call get_weather: \"year\": None is not of type 'integer'"]
    assert step(env, f"<think>It is {ANSWER}.</think>")[:2] == (-0.5, True)  # the reasoning is no answer


def test_the_sandboxed_path_skips_the_schema_too():
    env = ToolEnv([task_from_ftrl(released_record())], reward="ftrl", trust_code=False)
    env.reset(seed=0)
    reward, _, added = step(env, call("get_weather", {"city": "Zorvik", "year": None}))
    assert (reward, tool_texts(added)) == (1.0, ['{"city": "Zorvik", "temperature": 21, "year": null}'])
    env.close()
