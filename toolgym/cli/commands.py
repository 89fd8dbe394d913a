"""The sub-commands of `toolgym`, each an (add_arguments, run, help) triple."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from toolgym.cli import interactive
from toolgym.errors import ToolgymError


# -- validate -------------------------------------------------------------------------------------------------

def _add_validate(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a task file (.jsonl or .jsonl.gz)")
    p.add_argument("--quiet", action="store_true", help="print only problems and the summary")


def _run_validate(args: argparse.Namespace) -> int:
    from toolgym.errors import TaskValidationError
    from toolgym.models.io import load_tasks

    if not Path(args.file).is_file():
        raise ToolgymError(f"no such file: {args.file}")
    try:
        tasks = load_tasks(args.file)
    except TaskValidationError as e:  # a malformed file is a failed validation (1), not a bad argument (2)
        print(f"invalid: {e}")
        return 1
    if not tasks:
        print(f"invalid: {args.file} holds no task")
        return 1
    bad = 0
    for task in tasks:
        problems = task_problems(task)
        bad += bool(problems)
        for problem in problems:
            print(f"{task.id}: {problem}")
        if not problems and not args.quiet:
            print(f"{task.id}: ok")
    print(f"{len(tasks) - bad} of {len(tasks)} tasks valid")
    return 1 if bad else 0


def task_problems(task: Any) -> list[str]:
    """Everything `validate` checks on one task: gold replay (per call and through the env), the null policy,
    answer leaks, and for procedurally generated tasks the level structure and regeneration from provenance."""
    from toolgym.envs.checker import check_task
    from toolgym.generation.checks import leak_problems, replay_executor, replay_problems, structure_problems

    executor = replay_executor(task)  # a file's code runs sandboxed unless it is toolgym's own
    problems = leak_problems(task) + check_task(task, executor=executor)
    if task.gold_plan is not None:
        problems += replay_problems(task, executor)
    if task.provenance.generator == "procedural" and task.level is not None:
        problems += structure_problems(task) + _determinism_problems(task)
    return list(dict.fromkeys(problems))


def _determinism_problems(task: Any) -> list[str]:
    """A procedurally generated task must regenerate identically from its provenance."""
    p = task.provenance
    if p.generator != "procedural" or p.index is None or task.level is None:
        return []
    from toolgym.generation import generate_task

    again = generate_task(task.domain, task.level, p.index, seed=p.seed or 0, split=task.split)
    return [] if again.content_hash == task.content_hash else [
        "does not regenerate identically from its provenance (different generator version?)"]


# -- show -----------------------------------------------------------------------------------------------------

def _add_task_choice(p: argparse.ArgumentParser) -> None:
    p.add_argument("env_id", help="a registered id (e.g. ToolEnv/travel-L3) or a task file (.jsonl, .jsonl.gz, "
                   ".parquet)")
    p.add_argument("--seed", type=int, default=0, help="which task (reset seed; for a file, the task's index)")
    p.add_argument("--split", default=None, help="'train' (the generated stream) or 'test' (the catalog)")


def _add_show(p: argparse.ArgumentParser) -> None:
    _add_task_choice(p)
    p.add_argument("--json", action="store_true", help="print the task record as JSON")


def _run_show(args: argparse.Namespace) -> int:
    env = interactive.make_env(args.env_id, args.split).unwrapped
    env.reset(seed=args.seed)
    print(env.task.model_dump_json(indent=2) if args.json else interactive.describe(env.task))
    return 0


# -- play -----------------------------------------------------------------------------------------------------

def _add_play(p: argparse.ArgumentParser) -> None:
    _add_task_choice(p)
    p.add_argument("--reward", default="default", help="reward preset")


def _run_play(args: argparse.Namespace) -> int:
    env = interactive.make_env(args.env_id, args.split, reward=args.reward)
    return interactive.play(env, seed=args.seed, stdin=sys.stdin, stdout=sys.stdout)


# -- generate and list (need the generation pipeline) ----------------------------------------------------------

def _add_generate(p: argparse.ArgumentParser) -> None:
    p.add_argument("--domains", default="all", help="comma-separated domains, or 'all'")
    p.add_argument("--levels", default="1,2,3,4,5", help="comma-separated levels 1-5")
    p.add_argument("--n", type=int, default=10, help="tasks per (domain, level)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--split", default="train", choices=["train", "test"])
    p.add_argument("--out", required=True, help="output file (.jsonl or .jsonl.gz)")
    p.add_argument("--trace", action="store_true", help="also write every stage's output to OUT.trace.jsonl")
    from toolgym.cli.generate import add_llm_arguments
    add_llm_arguments(p)


def _run_generate(args: argparse.Namespace) -> int:
    from toolgym.cli.generate import run_generate
    return run_generate(args)


def _add_list(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="one JSON object per id")


def _run_list(args: argparse.Namespace) -> int:
    from toolgym.cli.generate import run_list
    return run_list(args)


def _add_stats(p: argparse.ArgumentParser) -> None:
    p.add_argument("sources", nargs="*", default=["all"],
                   help="registered ids (ToolEnv/travel-L3), domains (travel), 'all', or task files (native or "
                        "the paper's format); default: all")
    p.add_argument("--n", type=int, default=200, help="generated tasks in all, cycling through every (domain, "
                   "level) pair (task files are read whole)")
    p.add_argument("--levels", default="1,2,3,4,5", help="levels for domains and 'all' (an id names its own)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--split", default="train", choices=["train", "test"])
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _run_stats(args: argparse.Namespace) -> int:
    from toolgym.cli.generate import run_stats
    return run_stats(args)


def _add_catalog(p: argparse.ArgumentParser) -> None:
    from toolgym.cli.generate import add_catalog_arguments
    add_catalog_arguments(p)


def _run_catalog(args: argparse.Namespace) -> int:
    from toolgym.cli.generate import run_catalog
    return run_catalog(args)


def _add_export(p: argparse.ArgumentParser) -> None:
    from toolgym.cli.export import add_arguments
    add_arguments(p)


def _run_export(args: argparse.Namespace) -> int:
    from toolgym.cli.export import run
    return run(args)


def _add_serve(p: argparse.ArgumentParser) -> None:
    p.add_argument("env_id", help="a registered id, e.g. ToolEnv/travel-L3")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--host", default="127.0.0.1", help="interface to listen on (default: this machine only)")
    p.add_argument("--max-sessions", type=int, default=64, help="concurrent WebSocket sessions")
    p.add_argument("--reward", default="default", help="reward preset")
    p.add_argument("--split", default=None, help="'train' (the generated stream) or 'test' (the catalog)")


def _run_serve(args: argparse.Namespace) -> int:
    from toolgym.integrations.openenv import serve
    kwargs = {"split": args.split} if args.split else {}
    serve(args.env_id, host=args.host, port=args.port, max_sessions=args.max_sessions, reward=args.reward,
          **kwargs)
    return 0


def _add_eval(p: argparse.ArgumentParser) -> None:
    from toolgym.cli.eval import add_arguments
    add_arguments(p)


def _run_eval(args: argparse.Namespace) -> int:
    from toolgym.cli.eval import run
    return run(args)


COMMANDS = {
    "list": (_add_list, _run_list, "list the registered ids with their level, scenario mix and tool counts"),
    "show": (_add_show, _run_show, "show a task: question, tools, gold plan and answer"),
    "generate": (_add_generate, _run_generate, "generate tasks into a file"),
    "validate": (_add_validate, _run_validate,
                 "check a task file: schema, code, gold replay, determinism, no answer leak"),
    "play": (_add_play, _run_play, "play an episode in the terminal, typing tool calls"),
    "stats": (_add_stats, _run_stats, "measure how varied tasks are: answer types, tool names, parameter "
              "shapes, question skeletons, calls, scenarios"),
    "catalog": (_add_catalog, _run_catalog, "build or verify the shipped test sets (envs_catalog)"),
    "serve": (_add_serve, _run_serve, "serve an id as an OpenEnv environment (HTTP + WebSocket sessions)"),
    "export": (_add_export, _run_export, "export training data: oracle SFT conversations or per-turn states"),
    "eval": (_add_eval, _run_eval, "play a model (served or local) on ids or task files; report like a benchmark"),
}


def parse_csv_ints(text: str, what: str, allowed: range) -> list[int]:
    try:
        values = [int(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise ToolgymError(f"{what} must be comma-separated integers, got {text!r}") from None
    if not values or any(v not in allowed for v in values):
        raise ToolgymError(f"{what} must be in {allowed.start}-{allowed.stop - 1}, got {text!r}")
    return values


def dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False)
