import io
import json

import pytest

from toolgym.cli import main
from toolgym.cli.interactive import play
from toolgym.models import load_tasks


def test_list(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert "ToolEnv/travel-L3" in out and "multi_hop 20" in out
    assert main(["list", "--json"]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {"id": "ToolEnv/food-L5", "level": 5}.items() <= next(r for r in rows if r["id"] == "ToolEnv/food-L5").items()


def test_show(capsys):
    assert main(["show", "ToolEnv/travel-L3", "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "Question:" in out and "Gold plan:" in out and "Final answer:" in out
    assert main(["show", "ToolEnv/travel-L3", "--seed", "2", "--json", "--split", "test"]) == 0
    assert json.loads(capsys.readouterr().out)["split"] == "test"


def test_generate_validate_and_trace(tmp_path, capsys):
    out = tmp_path / "t.jsonl.gz"
    assert main(["generate", "--domains", "travel,food", "--levels", "1,4", "--n", "2", "--out", str(out),
                 "--trace"]) == 0
    assert len(load_tasks(out)) == 8
    trace = [json.loads(line) for line in open(str(out) + ".trace.jsonl")]
    assert len(trace) == 8 and {"scenario", "documents"} <= set(trace[0]) | {"scenario", "documents"}
    assert main(["validate", str(out)]) == 0
    assert "8 of 8 tasks valid" in capsys.readouterr().out


def test_validate_reports_a_broken_task(tmp_path, capsys):
    from toolgym.generation import generate_task
    from toolgym.models import save_tasks

    task = generate_task("travel", 1, 0)
    data = task.model_dump(mode="json")
    data.pop("content_hash")
    data["answer"] = "something else entirely"
    data["id"] = "broken"
    broken = type(task).model_validate(data)
    path = save_tasks([task, broken], tmp_path / "t.jsonl")
    assert main(["validate", str(path), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "final answer" in out and "1 of 2 tasks valid" in out


@pytest.mark.parametrize("argv, message", [
    (["generate", "--domains", "nope", "--out", "x.jsonl"], "unknown domain(s) nope"),
    (["generate", "--levels", "0", "--out", "x.jsonl"], "--levels must be in 1-5"),
    (["generate", "--n", "0", "--out", "x.jsonl"], "--n must be at least 1"),
    (["show", "CartPole-v1"], "not a toolgym id"),
    (["show", "ToolEnv/travel-L9"], "Did you mean"),
    (["validate", "missing.jsonl"], "no such file"),
])
def test_bad_arguments_exit_2_with_a_clear_message(argv, message, capsys):
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_play_in_the_terminal():
    import gymnasium as gym

    env = gym.make("ToolEnv/travel-L1")
    env.reset(seed=0)
    gold = env.unwrapped.task.gold_plan[0][0]
    args = ", ".join(f"{k}={json.dumps(v)}" for k, v in gold.arguments.items())
    answer = env.unwrapped.task.answer
    stdin = io.StringIO(f":help\n{gold.name}({args})\nFinal answer: {answer}\n")
    stdout = io.StringIO()
    assert play(env, seed=0, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert "Episode over: answer correct; return 2.000" in out


def test_show_with_a_negative_seed_is_one_line_and_exit_2(capsys):
    assert main(["show", "ToolEnv/travel-L1", "--seed", "-1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "seed must be" in err and "Traceback" not in err


@pytest.mark.parametrize("text, message", [
    ("", "holds no task"), ("[" * 100_000 + "]" * 100_000 + "\n", "nested too deeply"),
    ("{not json\n", "invalid JSON"),
])
def test_validate_exits_1_on_an_empty_or_malformed_file(tmp_path, capsys, text, message):
    path = tmp_path / "t.jsonl"
    path.write_text(text)
    assert main(["validate", str(path)]) == 1
    out = capsys.readouterr().out
    assert message in out and out.count("\n") == 1


def test_written_files_follow_the_umask(tmp_path):
    import os
    old = os.umask(0o022)
    try:
        out = tmp_path / "t.jsonl"
        assert main(["generate", "--domains", "travel", "--levels", "1", "--n", "1", "--out", str(out)]) == 0
        assert out.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(old)


def test_catalog_build_needs_a_directory(capsys):
    assert main(["catalog", "build"]) == 2
    assert "needs --dir" in capsys.readouterr().err


def test_generate_progress_is_one_line_when_stderr_is_not_a_terminal(tmp_path, capsys):
    assert main(["generate", "--domains", "travel", "--levels", "1", "--n", "3", "--out", str(tmp_path / "t.jsonl")]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and err.count("\n") == 1 and "generated 3 tasks" in err


def test_show_and_play_open_a_task_file(tmp_path, capsys):
    from toolgym.models import save_tasks
    from tests.fixtures.tasks import all_tasks
    path = save_tasks(all_tasks(), tmp_path / "t.jsonl")
    assert main(["show", str(path), "--seed", "1"]) == 0
    assert all_tasks()[1].question in capsys.readouterr().out
    with pytest.raises(SystemExit):  # --json is show's flag: play refuses it instead of ignoring it
        main(["play", str(path), "--json"])


def test_play_sends_nothing_for_a_blank_line_or_a_broken_call():
    import gymnasium as gym

    env = gym.make("ToolEnv/travel-L1")
    env.reset(seed=0)
    task = env.unwrapped.task
    gold = task.gold_plan[0][0]
    args = ", ".join(f"{k}={json.dumps(v)}" for k, v in gold.arguments.items())
    broken = f"{gold.name}({args.replace(chr(34), '', 1)})"  # a missing quote
    stdin = io.StringIO(f"\n{broken}\n{gold.name}({args})\nFinal answer: {task.answer}\n")
    stdout = io.StringIO()
    assert play(env, seed=0, stdin=stdin, stdout=stdout) == 0
    out = stdout.getvalue()
    assert out.count("nothing sent") == 2 and "Episode over: answer correct; return 2.000" in out


def test_play_keeps_a_semicolon_inside_a_string():
    from toolgym.cli.interactive import _as_action
    action = _as_action('f(q="a;b"); g(x=1)')
    assert '"q": "a;b"' in action and action.count("<tool_call>") == 2
