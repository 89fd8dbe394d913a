import json

import pytest

from toolgym.errors import ToolgymError
from toolgym.parsing import get_parser
from toolgym.rollout import make_env
from toolgym.train.sequences import TrainSequence, hermes_text, turn_sequences


def test_hermes_text_of_every_oracle_turn_parses_back_to_the_same_calls():
    env = make_env("ToolEnv/finance-L3", split="test")
    for seed in range(5):
        env.reset(seed=seed)
        for action in env.unwrapped.oracle_actions():
            parsed = get_parser("hermes").parse(hermes_text(action))
            assert not parsed.issues
            assert [(c.name, json.loads(c.arguments)) for c in parsed.calls] == [
                (c["function"]["name"], json.loads(c["function"]["arguments"])) for c in action.get("tool_calls", [])]
            if not action.get("tool_calls"):
                assert parsed.content == action["content"]


def test_turns_without_token_ids_are_refused_with_the_fix():
    trajectory = {"key": "k", "turns": [{"prompt_ids": None, "completion_ids": None}]}
    with pytest.raises(ToolgymError, match="LocalPolicy"):
        turn_sequences(trajectory, 1.0)
    with pytest.raises(ToolgymError, match="non-empty"):
        TrainSequence((), (1,), 0.0)
