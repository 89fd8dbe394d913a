"""`toolgym generate`, `toolgym list` and `toolgym catalog`: the commands that use the generation pipeline."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from toolgym.cli.commands import parse_csv_ints
from toolgym.errors import ToolgymError


def _domains(text: str) -> list[str]:
    from toolgym.generation import domain_names

    known = list(domain_names())
    if text == "all":
        return known
    chosen = [d.strip() for d in text.split(",") if d.strip()]
    if unknown := [d for d in chosen if d not in known]:
        raise ToolgymError(f"unknown domain(s) {', '.join(unknown)}; known: {', '.join(known)}")
    return chosen


class Progress:
    """A one-line progress counter on stderr (no dependency). When stderr is not a terminal (a log file, CI), a
    carriage return does not rewrite a line, so only the final count is written."""

    def __init__(self, total: int) -> None:
        self.total, self.done, self.started = total, 0, time.monotonic()
        self.live = sys.stderr.isatty()

    def advance(self, label: str) -> None:
        self.done += 1
        if not self.live:
            if self.done == self.total:
                elapsed = max(time.monotonic() - self.started, 1e-9)
                sys.stderr.write(f"generated {self.total} tasks in {elapsed:.1f} s\n")
            return
        rate = self.done / max(time.monotonic() - self.started, 1e-9)
        width = 30
        bar = "#" * (width * self.done // self.total)
        sys.stderr.write(f"\r[{bar:<{width}}] {self.done}/{self.total} {rate:6.0f} tasks/s  {label:<20}")
        if self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def run_generate(args: argparse.Namespace) -> int:
    from toolgym.generation import generate_task, trace_task
    from toolgym.models.io import save_tasks

    domains = _domains(args.domains)
    levels = parse_csv_ints(args.levels, "--levels", range(1, 6))
    if args.n < 1:
        raise ToolgymError(f"--n must be at least 1, got {args.n}")
    progress = Progress(len(domains) * len(levels) * args.n)
    tasks, traces = [], []
    for domain in domains:
        for level in levels:
            for index in range(args.n):
                if args.trace:  # the trace holds the deployed task: generate once
                    traces.append(trace_task(domain, level, index, seed=args.seed, split=args.split))
                    tasks.append(traces[-1].task)
                else:
                    tasks.append(generate_task(domain, level, index, seed=args.seed, split=args.split))
                progress.advance(f"{domain}-L{level}")
    out = save_tasks(tasks, args.out)
    print(f"wrote {len(tasks)} tasks to {out}")
    if args.trace:
        trace_path = Path(str(out) + ".trace.jsonl")
        trace_path.write_text("".join(t.model_dump_json(by_alias=True) + "\n" for t in traces))
        print(f"wrote every stage's output to {trace_path}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    import gymnasium as gym

    import toolgym  # noqa: F401  (registers the ids)
    from toolgym.catalog import manifest

    sets = manifest()["sets"]
    rows = []
    for env_id in sorted(k for k in gym.registry if k.startswith("ToolEnv/")):
        name = env_id.removeprefix("ToolEnv/")
        stats = sets.get(name, {}).get("stats", {})
        rows.append({"id": env_id, "level": gym.registry[env_id].kwargs.get("level"), **stats})
    if args.json:
        for row in rows:
            print(json.dumps(row))
        return 0
    print(f"{'id':<28}{'level':>6}  {'tools':>7}  {'sub-answers':>11}  scenario mix (test set)")
    for row in rows:
        tools = "-" if "tools" not in row else f"{row['tools'][0]}-{row['tools'][1]}"
        mix = ", ".join(f"{k} {v}" for k, v in row.get("scenarios", {}).items()) or "-"
        print(f"{row['id']:<28}{row['level'] or '-':>6}  {tools:>7}  {row.get('sub_answers_mean', '-'):>11}  {mix}")
    return 0


def add_catalog_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["build", "verify"], help="build: generate a catalog into --dir; "
                   "verify: regenerate from the manifest and compare byte for byte")
    p.add_argument("--dir", default=None, help="catalog directory (verify: default the packaged one; build: "
                   "required, so the installed package is never rewritten)")


def run_catalog(args: argparse.Namespace) -> int:
    from toolgym.catalog import CATALOG_DIR, build_catalog, verify_catalog

    directory = Path(args.dir) if args.dir else CATALOG_DIR
    if args.action == "build":
        if args.dir is None:
            raise ToolgymError(f"catalog build needs --dir: it never rewrites the installed catalog ({CATALOG_DIR}); "
                               "in a clone, rebuild the shipped one with --dir envs_catalog/v2")
        data = build_catalog(directory)
        print(f"built {len(data['sets'])} sets in {directory}")
        return 0
    if not (directory / "manifest.json").exists():
        raise ToolgymError(f"no manifest.json in {directory}")
    from toolgym.catalog import manifest
    from toolgym.generation import GENERATOR_VERSION

    made_by = manifest(directory).get("generator_version")
    differing = verify_catalog(directory)
    for name in differing:
        print(f"differs: {name}")
    how = ("reproduces byte for byte" if made_by == GENERATOR_VERSION else
           f"matches its manifest and replays (generator {made_by}; this one is {GENERATOR_VERSION})")
    print(f"catalog {how}" if not differing else f"{len(differing)} file(s) differ")
    return 1 if differing else 0


def _stats_sources(source: str, levels: list[int]) -> tuple[list[str], list[int]]:
    """(domains, levels) named by an id (`ToolEnv/travel-L3`, `travel-L3`), a domain, or 'all'."""
    from toolgym.generation import domain_names

    name = source.removeprefix("ToolEnv/")
    domain, _, level = name.rpartition("-L")
    if domain and level.isdigit():
        return _domains(domain), parse_csv_ints(level, f"the level of {source!r}", range(1, 6))
    return (list(domain_names()) if name == "all" else _domains(name)), levels


def run_stats(args: argparse.Namespace) -> int:
    from toolgym.diversity import diversity, format_diversity, mixed_tasks
    from toolgym.models.io import load_tasks

    levels = parse_csv_ints(args.levels, "--levels", range(1, 6))
    if args.n < 1:
        raise ToolgymError(f"--n must be at least 1, got {args.n}")
    tasks, groups = [], []
    for source in args.sources:
        if Path(source).is_file():
            tasks += load_tasks(source)
        elif any(sep in source for sep in ("/", ".")) and not source.startswith("ToolEnv/"):
            raise ToolgymError(f"no such task file: {source}")
        else:
            groups.append(_stats_sources(source, levels))
    if groups:  # one mix per distinct level set keeps an id's level its own; --n is shared between them
        for k, (domains, group_levels) in enumerate(groups):
            share = args.n // len(groups) + (k < args.n % len(groups))
            tasks += mixed_tasks(domains, group_levels, share, seed=args.seed, split=args.split)
    if not tasks:
        raise ToolgymError("no task to measure: the files hold none")
    measured = diversity(tasks)
    print(json.dumps(measured.as_dict()) if args.json else format_diversity(measured, " ".join(args.sources)))
    return 0
