"""`toolgym eval` against the scripted OpenAI-compatible server (real HTTP, the real openai client): each
behaviour's report equals the figures computed by hand from the three fixture tasks.

The fixture tasks (tests/fixtures/tasks.py): weather-1 (single_hop, 1 sub-answer, gold: 1 call then the answer:
2 turns), travel-1 (multi_hop, 2 sub-answers, 1 + 1 calls: 3 turns), finance-1 (parallel_single_hop, 3
sub-answers, 2 + 1 calls: 3 turns). Every scripted success reports 100 prompt and 10 completion tokens.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fixtures.extras import require

require("openai")

from tests.fixtures.chat_server import COMPLETION_TOKENS, PROMPT_TOKENS, ChatServer  # noqa: E402
from tests.fixtures.tasks import all_tasks  # noqa: E402
from toolgym.cli import main  # noqa: E402
from toolgym.models import save_tasks  # noqa: E402

ROOT = Path(__file__).resolve().parents[3]
GOLD_TURNS = (2, 3, 3)   # per fixture task: calling turns + the answer
GOLD_CALLS = (1, 2, 3)


@pytest.fixture(scope="module")
def task_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("tasks") / "tasks.jsonl"
    save_tasks(all_tasks(), path)
    return str(path)


@pytest.fixture(scope="module")
def server():
    with ChatServer(all_tasks()) as s:
        yield s


def run_eval(server, task_file, out, model, *extra):
    code = main(["eval", task_file, "--model", model, "--base-url", server.base_url, "--n", "3", "--out", str(out),
                 "--quiet", *extra])
    return code, json.loads((out / "summary.json").read_text())


@pytest.mark.parametrize(("model", "parser"), [("native", "hermes"), ("hermes", "hermes"), ("hermes", "auto"),
                                               ("flaky", "hermes")])
def test_solved_behaviours_report_the_gold_figures(server, task_file, tmp_path, model, parser, capsys):
    code, summary = run_eval(server, task_file, tmp_path, model, "--retries", "2", "--parser", parser)
    assert code == 0
    overall = summary["overall"]
    turns = sum(GOLD_TURNS)
    assert overall | {"stop_reasons": None} == {
        "episodes": 3, "tasks": 3, "solve_precision": 1.0, "solve_rate": 1.0, "solve_f1": 1.0,
        "answer_accuracy": 1.0, "pass@1": 1.0, "pass@k": 1.0, "k": 1,
        "mean_turns": round(turns / 3, 6), "mean_calls": sum(GOLD_CALLS) / 3, "parse_error_rate": 0.0,
        "mean_prompt_tokens": round(PROMPT_TOKENS * turns / 3, 6),
        "mean_completion_tokens": round(COMPLETION_TOKENS * turns / 3, 6), "mean_return": 2.0,
        "stop_reasons": None}
    assert overall["stop_reasons"] == {"answered": 3}
    assert "| all | 3 | 1.000 | 1.000 | 1.000 | 1.000 |" in capsys.readouterr().out
    if model == "flaky":  # every conversation state was refused once with 429, then served
        assert server.requests["flaky"] == 2 * turns


def test_ftrl_protocol_sets_greedy_20_turns_and_the_ftrl_reward(server, task_file, tmp_path):
    code, summary = run_eval(server, task_file, tmp_path, "native", "--protocol", "ftrl", "--temperature", "0.7")
    assert code == 0
    assert {k: summary["config"][k] for k in ("temperature", "max_turns", "reward")} == {
        "temperature": 0.0, "max_turns": 20, "reward": "ftrl"}
    # ftrl: a call turn earns 2s/(n+1), the correct answer with nothing pending 1. weather: 1 + 1; travel: 1 + 1
    # + 1; finance: 2*2/3 (two calls, both solve) + 1 + 1.
    assert summary["overall"]["mean_return"] == round((2 + 3 + (4 / 3 + 2)) / 3, 6)


def test_refusal_is_scored_as_the_answer_and_recorded(server, task_file, tmp_path):
    code, summary = run_eval(server, task_file, tmp_path, "refusal")
    assert code == 0 and summary["overall"]["stop_reasons"] == {"refusal": 3}
    line = json.loads((tmp_path / "trajectories.jsonl").read_text().splitlines()[0])
    assert line["turns"][0]["text"] == "I cannot help with that." and line["answer_correct"] is False


def test_raw_text_is_kept_and_native_calls_recorded(server, task_file, tmp_path):
    run_eval(server, task_file, tmp_path / "h", "hermes")
    run_eval(server, task_file, tmp_path / "n", "native")
    hermes = [json.loads(line) for line in (tmp_path / "h" / "trajectories.jsonl").read_text().splitlines()]
    native = [json.loads(line) for line in (tmp_path / "n" / "trajectories.jsonl").read_text().splitlines()]
    weather = next(t for t in hermes if t["task_id"] == "weather-1")
    assert weather["turns"][0]["text"].startswith('<tool_call>{"name": "get_weather"')
    assert "action" not in weather["turns"][0]  # raw text went to the env's parser
    weather = next(t for t in native if t["task_id"] == "weather-1")
    assert weather["turns"][0]["action"]["tool_calls"][0]["id"] == "srv_0_0"
    assert weather["messages"][1]["tool_calls"][0]["function"]["name"] == "get_weather"


def test_malformed_call_then_wrong_answer(server, task_file, tmp_path):
    code, summary = run_eval(server, task_file, tmp_path, "malformed")
    overall = summary["overall"]
    # turn 1: an unreadable call (reported, not run; the episode goes on), turn 2: a wrong answer.
    assert code == 0
    assert (overall["mean_turns"], overall["mean_calls"], overall["parse_error_rate"]) == (2.0, 0.0, 0.5)
    assert (overall["answer_accuracy"], overall["solve_rate"], overall["solve_f1"]) == (0.0, 0.0, 0.0)
    assert overall["stop_reasons"] == {"answered": 3}


def test_empty_completion_ends_the_episode(server, task_file, tmp_path):
    code, summary = run_eval(server, task_file, tmp_path, "empty")
    overall = summary["overall"]
    assert code == 0 and overall["stop_reasons"] == {"empty": 3}
    # no call: precision is 1 by definition (S/C with C = 0), rate and F1 are 0.
    # no call made: precision 0 under the default preset (the ftrl preset would give the reference's 1)
    assert (overall["mean_turns"], overall["solve_precision"], overall["solve_f1"]) == (1.0, 0.0, 0.0)
    assert overall["mean_completion_tokens"] == COMPLETION_TOKENS


@pytest.mark.parametrize(("model", "reason", "extra", "requests"), [
    ("error500", "server_error", ["--retries", "1"], 6),      # 1 try + 1 retry per episode
    ("overflow", "context_overflow", ["--retries", "2"], 3),  # a 400 is not retried
    ("slow", "timeout", ["--retries", "0", "--timeout", "0.3"], 3),
])
def test_failed_requests_end_only_their_episode(server, task_file, tmp_path, model, reason, extra, requests):
    before = server.requests[model]
    code, summary = run_eval(server, task_file, tmp_path, model, *extra)
    overall = summary["overall"]
    assert code == 0 and overall["episodes"] == 3 and overall["stop_reasons"] == {reason: 3}
    assert (overall["mean_turns"], overall["answer_accuracy"], overall["mean_prompt_tokens"]) == (0.0, 0.0, 0.0)
    assert server.requests[model] - before == requests
    lines = [json.loads(line) for line in (tmp_path / "trajectories.jsonl").read_text().splitlines()]
    assert all(t["stop_detail"] for t in lines)


def test_mixed_run_groups_by_scenario_and_macro_averages(server, task_file, tmp_path):
    code, summary = run_eval(server, task_file, tmp_path, "mixed", "--k", "2")
    assert code == 0
    by = summary["by_scenario"]
    assert by["single_hop"]["answer_accuracy"] == by["multi_hop"]["answer_accuracy"] == 1.0
    assert by["parallel_single_hop"]["answer_accuracy"] == 0.0
    # the parallel_single_hop episodes answer without a call: precision 0 there (default preset)
    assert summary["macro"] == {"solve_precision": round(2 / 3, 6), "solve_rate": round(2 / 3, 6),
                                "solve_f1": round(2 / 3, 6), "answer_accuracy": round(2 / 3, 6)}
    assert summary["overall"]["episodes"] == 6 and summary["overall"]["tasks"] == 3
    assert summary["overall"]["pass@1"] == summary["overall"]["pass@k"] == round(2 / 3, 6)
    assert set(summary["by_level"]) == {"L1", "L2", "L3"}
    assert "| parallel_single_hop | 2 |" in (tmp_path / "summary.md").read_text()


def test_server_down_stops_the_run_with_one_line(task_file, tmp_path, capsys):
    code = main(["eval", task_file, "--model", "native", "--base-url", "http://127.0.0.1:9/v1", "--n", "3",
                 "--out", str(tmp_path), "--quiet", "--retries", "0"])
    err = capsys.readouterr().err
    assert code == 1
    assert "cannot reach the server at http://127.0.0.1:9/v1" in err and "re-run" in err
    assert len(err.strip().splitlines()) == 1
    assert json.loads((tmp_path / "summary.json").read_text())["overall"]["episodes"] == 0


def test_another_configuration_is_refused_in_the_same_directory(server, task_file, tmp_path, capsys):
    run_eval(server, task_file, tmp_path, "native")
    assert main(["eval", task_file, "--model", "hermes", "--base-url", server.base_url, "--n", "3",
                 "--out", str(tmp_path), "--quiet"]) == 2
    assert "other settings (model differ)" in capsys.readouterr().err


def test_api_key_comes_from_the_environment_and_is_never_written(server, task_file, tmp_path, monkeypatch):
    monkeypatch.setenv("TOOLGYM_TEST_KEY", "sk-secret-123")
    run_eval(server, task_file, tmp_path, "native", "--api-key-env", "TOOLGYM_TEST_KEY")
    for path in tmp_path.iterdir():
        assert "sk-secret-123" not in path.read_text()


@pytest.mark.slow
def test_killed_run_resumes_to_the_same_summary(server, task_file, tmp_path):
    """~3 s: a CLI process is killed after its first finished episode; the re-run plays only the rest."""
    _, whole = run_eval(server, task_file, tmp_path / "whole", "delay", "--concurrency", "1")
    out = tmp_path / "killed"
    command = [sys.executable, "-m", "toolgym.cli", "eval", task_file, "--model", "delay", "--base-url",
               server.base_url, "--n", "3", "--out", str(out), "--quiet", "--concurrency", "1"]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    lines = out / "trajectories.jsonl"
    deadline = time.monotonic() + 60
    while not (lines.exists() and lines.read_text().count("\n") >= 1) and time.monotonic() < deadline:
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = lines.read_text().splitlines()
    assert 1 <= len(kept) < 3, "the run was not killed midway"
    _, resumed = run_eval(server, task_file, out, "delay", "--concurrency", "1")
    assert lines.read_text().splitlines()[: len(kept)] == kept  # finished lines are never rewritten
    assert resumed == whole


def test_bad_arguments_are_one_line_errors(task_file, tmp_path, capsys):
    assert main(["eval", task_file, "--model", "m", "--out", str(tmp_path)]) == 2
    assert "--base-url is required" in capsys.readouterr().err
    assert main(["eval", "ToolEnv/travel-L1", "--model", "m", "--base-url", "http://127.0.0.1:9/v1", "--n", "21",
                 "--out", str(tmp_path / "b")]) == 2
    assert "has 20 tasks, fewer than --n 21: use --n 20 (or --split train" in capsys.readouterr().err
    assert main(["eval", "nope.jsonl", "--model", "m", "--base-url", "http://127.0.0.1:9/v1",
                 "--out", str(tmp_path / "c")]) == 2
    assert "neither a registered id" in capsys.readouterr().err
