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
        shown = f"{rate:6.0f}" if rate >= 100 else f"{rate:6.2f}"  # a served model makes a few tasks a second
        sys.stderr.write(f"\r[{bar:<{width}}] {self.done}/{self.total} {shown} tasks/s  {label:<20}")
        if self.done == self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def add_llm_arguments(p: argparse.ArgumentParser) -> None:
    """`generate`'s options for the LLM-driven backends."""
    g = p.add_argument_group("LLM backends (--backend llm or hybrid; any OpenAI-compatible server)")
    g.add_argument("--backend", default="procedural", choices=["procedural", "llm", "hybrid"],
                   help="procedural (default, offline); hybrid: procedural tasks, LLM-written question and tool "
                        "descriptions; llm: the model writes scenario, documents and tool code")
    g.add_argument("--base-url", default=None, help="the server's OpenAI base URL, e.g. http://127.0.0.1:8000/v1")
    g.add_argument("--model", default=None, help="the served model's name")
    g.add_argument("--api-key-env", default="OPENAI_API_KEY",
                   help="environment variable holding the API key (default OPENAI_API_KEY; unset: 'EMPTY')")
    g.add_argument("--concurrency", type=int, default=4, help="tasks generated at once (bounded requests)")
    g.add_argument("--max-attempts", type=int, default=3, help="attempts per task before it is dropped")
    g.add_argument("--cache-dir", default=None, help="request cache (default OUT.llm-cache): a re-run skips "
                   "every request already answered")
    g.add_argument("--timeout", type=float, default=120.0, help="seconds per request")
    g.add_argument("--max-retries", type=int, default=3, help="client retries on 429, 5xx, timeouts, refused "
                   "connections")
    g.add_argument("--format-retries", type=int, default=2, help="unusable replies fed back to the model")
    g.add_argument("--repair-rounds", type=int, default=2, help="llm backend: repairs of failing tool code")
    g.add_argument("--max-tokens", type=int, default=1024, help="completion tokens per request")
    g.add_argument("--response-format", default="json_schema", choices=["json_schema", "none"],
                   help="ask the server for structured output (each stage's JSON Schema; dropped by itself if the "
                        "server refuses it) or not")
    g.add_argument("--dedup-threshold", type=float, default=0.9, help="word-set Jaccard similarity from which "
                   "two questions of a domain are near-duplicates")


def run_generate(args: argparse.Namespace) -> int:
    from toolgym.generation import generate_task, trace_task
    from toolgym.models.io import save_tasks

    domains = _domains(args.domains)
    levels = parse_csv_ints(args.levels, "--levels", range(1, 6))
    if args.n < 1:
        raise ToolgymError(f"--n must be at least 1, got {args.n}")
    if args.backend != "procedural":
        return run_llm_generate(args, domains, levels)
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


def run_llm_generate(args: argparse.Namespace, domains: list[str], levels: list[int]) -> int:
    """`generate --backend llm|hybrid`: concurrent, cached, deduplicated; writes the tasks kept (also when the
    run stops early) and OUT.manifest.json."""
    import os

    from toolgym.generation.backends.llm import LLMClient, make_backend
    from toolgym.generation.backends.llm.cache import RequestCache
    from toolgym.generation.backends.llm.run import Job, run_jobs
    from toolgym.models.io import save_tasks

    if not args.base_url or not args.model:
        raise ToolgymError(f"--backend {args.backend} needs --base-url and --model")
    if args.trace:
        raise ToolgymError("--trace is for the procedural backend")
    if args.repair_rounds < 0:
        raise ToolgymError(f"--repair-rounds must be >= 0, got {args.repair_rounds}")
    cache_dir = Path(args.cache_dir) if args.cache_dir else Path(str(args.out) + ".llm-cache")
    try:
        client = LLMClient(args.model, args.base_url, api_key=os.environ.get(args.api_key_env) or "EMPTY",
                           timeout=args.timeout, max_retries=args.max_retries, format_retries=args.format_retries,
                           max_tokens=args.max_tokens, cache=RequestCache(cache_dir),
                           structured=args.response_format == "json_schema")
    except ValueError as e:
        raise ToolgymError(str(e)) from None
    options = {"repair_rounds": args.repair_rounds} if args.backend == "llm" else {}
    backend = make_backend(args.backend, client, **options)
    jobs = [Job(d, level, i) for d in domains for level in levels for i in range(args.n)]
    progress = Progress(len(jobs))
    try:
        result = run_jobs(backend, jobs, seed=args.seed, split=args.split, concurrency=args.concurrency,
                          max_attempts=args.max_attempts, dedup_threshold=args.dedup_threshold,
                          advance=progress.advance)
    except ValueError as e:
        raise ToolgymError(str(e)) from None
    config = {"domains": domains, "levels": levels, "n": args.n, "seed": args.seed, "split": args.split,
              "concurrency": args.concurrency, "max_attempts": args.max_attempts,
              "format_retries": args.format_retries, "repair_rounds": args.repair_rounds,
              "max_tokens": args.max_tokens, "dedup_threshold": args.dedup_threshold,
              "response_format": args.response_format}
    manifest = result.manifest(backend, client, config)
    out = save_tasks(result.tasks, args.out)
    manifest_path = Path(str(out) + ".manifest.json")
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"wrote {len(result.tasks)} of {result.requested} tasks to {out}; manifest {manifest_path}")
    if result.rejections:
        print("rejected attempts: " + ", ".join(f"{k} {v}" for k, v in sorted(result.rejections.items())))
    if result.stopped:
        print(f"stopped early: {result.stopped} (re-run the same command to resume from the cache)",
              file=sys.stderr)
        return 1
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
                               "in a clone, rebuild the shipped one with --dir envs_catalog/v3")
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
