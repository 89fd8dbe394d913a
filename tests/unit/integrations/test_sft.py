"""SFT export: oracle conversations, and their rendering through a real tokenizer's chat template with a mask."""

import json

import pytest

from tests.fixtures.extras import require

require("transformers")  # skipped where missing, required in CI

from tests.fixtures.tiny_lm import chat_template, tiny_tokenizer  # noqa: E402
from toolgym.cli import main  # noqa: E402
from toolgym.errors import ToolgymError  # noqa: E402
from toolgym.integrations.sft import oracle_conversations, render_with_mask  # noqa: E402

IDS = ["ToolEnv/travel-L3", "ToolEnv/finance-L2"]


@pytest.fixture(scope="module")
def tokenizer(tmp_path_factory):
    return tiny_tokenizer(tmp_path_factory.mktemp("tokenizer"))


def _runs(mask):
    """The [start, end) index runs where mask is 1."""
    runs, start = [], None
    for i, bit in enumerate([*mask, 0]):
        if bit and start is None:
            start = i
        elif not bit and start is not None:
            runs.append((start, i))
            start = None
    return runs


@pytest.mark.parametrize("index", range(4))
def test_the_mask_covers_exactly_the_assistant_turns(tokenizer, index):
    conversation = list(oracle_conversations(IDS, 2))[index]
    messages, tools = conversation["messages"], conversation["tools"]
    rendered = render_with_mask(tokenizer, messages, tools)
    ids, mask = rendered["input_ids"], rendered["assistant_mask"]
    assistant = [m for m in messages if m["role"] == "assistant"]
    runs = _runs(mask)
    assert len(runs) == len(assistant)
    for (a, b), message in zip(runs, assistant):
        text = tokenizer.decode(ids[a:b])
        assert text.endswith("<|im_end|>\n")
        if message.get("tool_calls"):
            calls = [json.loads(block.split("</tool_call>")[0]) for block in text.split("<tool_call>")[1:]]
            assert calls == [{"name": c["function"]["name"], "arguments": c["function"]["arguments"]}
                             for c in message["tool_calls"]]
        else:
            assert text == message["content"] + "<|im_end|>\n"
    # transformers' own mask from TRL's generation-tagged template of the same model family agrees, except that
    # it also counts the newline after each `<|im_start|>assistant` header (part of the generation prompt here)
    theirs = tokenizer.apply_chat_template(messages, tools=tools, chat_template=chat_template("qwen2_5_training"),
                                           return_dict=True, return_assistant_tokens_mask=True)
    assert theirs["input_ids"] == ids
    extra = [i for i, (t, m) in enumerate(zip(theirs["assistant_masks"], mask)) if t != m]
    assert all(theirs["assistant_masks"][i] == 1 and tokenizer.decode([ids[i]]) == "\n" for i in extra)
    assert [i + 1 for i in extra] == [a for a, _ in runs]


def test_conversations_are_in_hf_form_with_their_tools():
    conversation = next(oracle_conversations(["ToolEnv/food-L2"], 1))
    calls = [c for m in conversation["messages"] for c in m.get("tool_calls", ())]
    assert calls and all(isinstance(c["function"]["arguments"], dict) for c in calls)
    assert {t["function"]["name"] for t in conversation["tools"]} >= {c["function"]["name"] for c in calls}
    assert conversation["messages"][-1]["role"] == "assistant"


def test_export_sft_cli_writes_messages_or_masked_tokens(tokenizer, tmp_path, capsys):
    plain, tokens = tmp_path / "sft.jsonl", tmp_path / "tokens.jsonl"
    assert main(["export", "sft", *IDS, "--n", "2", "--out", str(plain)]) == 0
    records = [json.loads(line) for line in plain.read_text().splitlines()]
    assert len(records) == 4 and set(records[0]) == {"task_id", "messages", "tools"}
    tokenizer.save_pretrained(tmp_path / "tok")
    assert main(["export", "sft", IDS[0], "--n", "1", "--tokenizer", str(tmp_path / "tok"),
                 "--out", str(tokens)]) == 0
    record = json.loads(tokens.read_text())
    assert record == {"task_id": records[0]["task_id"],
                      **render_with_mask(tokenizer, records[0]["messages"], records[0]["tools"])}


def test_export_errors_name_the_fix(tmp_path, capsys):
    assert main(["export", "states", "ToolEnv/travel-L3", "--n", "1", "--tokenizer", "x",
                 "--out", str(tmp_path / "o")]) == 2
    assert "--tokenizer applies to `export sft` only" in capsys.readouterr().err
    assert main(["export", "sft", "ToolEnv/travel-L3", "--tokenizer", str(tmp_path / "missing"),
                 "--out", str(tmp_path / "o")]) == 2
    assert "cannot load a tokenizer" in capsys.readouterr().err
    with pytest.raises(ToolgymError, match="fast tokenizer"):
        render_with_mask(object(), [], [])
