"""CPU smoke tests of the training loop on the tiny model (seconds each): SFT, GRPO over episodes and over states,
checkpoints saved and resumed, param_delta on two checkpoints, and the two example CLIs."""

import importlib.util
import json
from pathlib import Path

import pytest

from tests.fixtures.extras import require
from toolgym.errors import ToolgymError
from toolgym.train.sequences import TrainSequence

torch = require("torch")
require("transformers")

from toolgym.train.trainer import TrainConfig, Trainer  # noqa: E402

SOURCES = ("ToolEnv/travel-L1", "ToolEnv/weather-L1")
SMALL = {"model": "tiny", "tasks": 2, "group": 2, "max_tokens": 8, "max_turns": 2, "steps": 1}
EXAMPLES = Path(__file__).parents[3] / "examples"


def example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read_log(out):
    return [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]


@pytest.mark.parametrize("mode", ["sft", "episodes", "states"])
def test_one_step_of_each_mode_logs_its_metrics_and_saves_a_loadable_checkpoint(tmp_path, mode):
    from transformers import AutoModelForCausalLM
    trainer = Trainer(TrainConfig(SOURCES, mode=mode, **SMALL), tmp_path)
    [record] = trainer.run()
    assert record["step"] == 1 and record["trained_tokens"] > 0
    assert {"reward", "solve_rate", "answer_accuracy", "kl", "clip_fraction", "entropy", "loss",
            "generated_tokens_per_s", "train_tokens_per_s"} <= record.keys()
    assert read_log(tmp_path) == [record]
    if mode == "sft":  # the teacher's episodes: every task solved
        assert record["answer_accuracy"] == 1.0 and record["loss"] > 0
    checkpoint = trainer.latest_checkpoint()
    reloaded = AutoModelForCausalLM.from_pretrained(checkpoint)
    for (name, saved), trained in zip(reloaded.state_dict().items(), trainer.model.state_dict().values()):
        assert torch.equal(saved, trained), name
    assert (tmp_path / "curves.png").stat().st_size > 0


def test_grpo_updates_raise_the_likelihood_of_positive_advantage_turns_and_lower_the_others(tmp_path):
    trainer = Trainer(TrainConfig(SOURCES, lr=3e-3, epochs=4, beta=0.0, **SMALL), tmp_path)
    good, bad = TrainSequence((1, 40, 41), (50, 51, 52), 1.0), TrainSequence((1, 40, 41), (60, 61, 62), -1.0)

    def likelihood(sequence):
        from toolgym.train.loss import make_batch, token_logprobs
        with torch.no_grad():
            return float(token_logprobs(trainer.model, make_batch(torch, [sequence], 0, "cpu"))[0].sum())

    before = likelihood(good), likelihood(bad)
    stats = trainer.update([good, bad])
    assert likelihood(good) > before[0] and likelihood(bad) < before[1]
    assert stats["clip_fraction"] > 0  # four inner epochs at a large step size push the ratio past the clip


def test_the_same_command_resumes_from_the_last_checkpoint_and_another_is_refused(tmp_path):
    first = Trainer(TrainConfig(SOURCES, **SMALL), tmp_path)
    first.run()
    with open(tmp_path / "metrics.jsonl", "a") as log:  # a step that ran after the checkpoint, then a crash
        log.write(json.dumps({"step": 2, "reward": 9.0}) + "\n")
    resumed = Trainer(TrainConfig(SOURCES, **{**SMALL, "steps": 2}), tmp_path)
    assert resumed.step == 1
    before = {k: v.clone() for k, v in resumed.model.state_dict().items()}
    assert all(torch.equal(before[k], v) for k, v in first.model.state_dict().items())
    resumed.run()
    assert [r["step"] for r in read_log(tmp_path)] == [1, 2] and read_log(tmp_path)[1]["reward"] != 9.0
    with pytest.raises(ToolgymError, match="other settings \\(lr differ\\)"):
        Trainer(TrainConfig(SOURCES, **{**SMALL, "lr": 1.0}), tmp_path)

    delta = example("param_delta")
    checkpoints = sorted(str(p) for p in (tmp_path / "checkpoints").iterdir())
    assert delta.main([*checkpoints, "--plot", str(tmp_path / "delta.png")]) == 0
    assert (tmp_path / "delta.png").stat().st_size > 0


def test_param_delta_prints_a_row_per_layer(tmp_path, capsys):
    trainer = Trainer(TrainConfig(SOURCES, mode="sft", lr=1e-3, **SMALL), tmp_path)
    start = tmp_path / "start"
    trainer.model.save_pretrained(start)
    trainer.run()
    assert example("param_delta").main([str(start), str(trainer.latest_checkpoint())]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "| layer | attention | mlp | norm | embedding |"
    assert [line.split(" | ")[0] for line in lines[2:5]] == ["| 0", "| 1", "| all"]
    assert float(lines[-1].split(": ")[1]) > 0


def test_the_train_cli_runs_a_step_and_names_a_bad_setting(tmp_path, capsys):
    train = example("train_grpo")
    args = [*SOURCES, "--model", "tiny", "--steps", "1", "--tasks", "1", "--group", "2", "--max-tokens", "4",
            "--max-turns", "1", "--mode", "states", "--algo", "reinforce++", "--out", str(tmp_path / "run")]
    assert train.main(args) == 0
    assert "checkpoint:" in capsys.readouterr().out
    assert train.main([*SOURCES, "--mode", "ppo", "--out", str(tmp_path / "bad")]) == 2
    assert "unknown mode 'ppo'" in capsys.readouterr().err


def test_states_whose_prompt_overflows_the_context_are_skipped_and_counted(tmp_path):
    import asyncio

    from toolgym.envs.state_env import oracle_states, single_turn_env
    from toolgym.rollout.policy import EpisodeContext
    from toolgym.train.states import sample_states
    trainer = Trainer(TrainConfig(SOURCES, mode="states", **SMALL), tmp_path)
    states = oracle_states(trainer._task(SOURCES[0], 0))
    first, last = states[0], states[-1]  # the answer state has the longer prefix
    obs, info = single_turn_env([first]).reset()
    trainer.policy.context_length = (len(trainer.policy.prompt_ids(EpisodeContext(obs, info["tools"], first, 0, 0)))
                                     + trainer.policy.max_tokens)  # the first state just fits
    sampled = asyncio.run(sample_states(trainer.policy, [first, last, first], 2, 0, "default"))
    assert sampled.skipped == 1 and len(sampled.groups) == 2 and all(len(g) == 2 for g in sampled.groups)

    trainer.policy.context_length = 10  # no state fits: the step still runs, trains nothing, and says so
    [record] = trainer.run()
    assert record["skipped_states"] == SMALL["tasks"] and record["trained_tokens"] == 0
