"""Median `env.step` latency for a one-call and a three-call turn, against the reference's way of running tools.

The baseline runs in the same process on the same calls, the way the FTRL reference does: `exec` the tool's code
string on every call, a new thread per call joined with a timeout, render the result, match pending sub-answers
by substring. toolgym's path: parse the completion, validate the arguments against the schema (compiled once),
call the once-compiled function with a SIGALRM time limit, render, verify with the default preset, and build the
observation.

Then the price of fresh tool state: `env.reset` plus the episode's first step, each episode loading the tools it
calls into new modules (toolgym's way), against the same with one executor reused across episodes (modules loaded
once and shared, as before tool state was made per episode), for this benchmark's tool and for a generated L5
task. Usage: `python benchmarks/step_latency.py [--repeats N] [--rounds R]`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import gymnasium as gym  # noqa: E402

from toolgym import ToolEnv  # noqa: E402
from toolgym.execution import TrustedExecutor  # noqa: E402
from toolgym.models import GoldCall, Task, opening_messages  # noqa: E402

HOTEL_CODE = '''
HOTELS = {"aurel": 212.5, "borvik": 98.0, "castra": 143.25}

def search_hotels(city, nights, guests=1, max_price=1000.0, breakfast=False, sort="price", currency="EUR"):
    key = city.lower()
    if key not in HOTELS:
        return "Error: unknown city " + city
    if nights < 1 or guests < 1:
        return "Error: nights and guests must be at least 1"
    total = HOTELS[key] * nights * guests + (12.0 * nights if breakfast else 0.0)
    return {"city": city, "total": round(total, 2), "currency": currency, "sort": sort}
'''
PARAMETERS = {"type": "object", "required": ["city", "nights"], "properties": {
    "city": {"type": "string", "description": "City to search."},
    "nights": {"type": "integer", "minimum": 1},
    "guests": {"type": "integer", "minimum": 1, "default": 1},
    "max_price": {"type": "number", "minimum": 0},
    "breakfast": {"type": "boolean"},
    "sort": {"type": "string", "enum": ["price", "rating", "distance"]},
    "currency": {"type": "string", "enum": ["EUR", "USD"]}}}
CALLS = [{"city": "Aurel", "nights": 2, "guests": 2, "breakfast": True, "sort": "rating"},
         {"city": "Borvik", "nights": 3, "max_price": 400.5},
         {"city": "Castra", "nights": 1, "currency": "USD"}]
EXPECTED = ["874", "294", "143.25"]


def make_task() -> Task:
    tool = {"type": "function", "function": {"name": "search_hotels", "description": "Search hotels.",
                                             "parameters": PARAMETERS}}
    q = "What do the three stays cost?"
    return Task(id="bench", question=q, messages=opening_messages(q), tools=[tool],
                code={"search_hotels": HOTEL_CODE}, expected={"search_hotels": EXPECTED}, answer="874",
                scenario="parallel_single_hop", gold_plan=[[GoldCall(name="search_hotels", arguments=a)
                                                           for a in CALLS]])


def hermes(calls: list[dict]) -> str:
    return "\n".join(f'<tool_call>{json.dumps({"name": "search_hotels", "arguments": a})}</tool_call>'
                     for a in calls)


# -- the reference's pattern ----------------------------------------------------------------------------------

def reference_answer_verify(expected: str, output: str) -> bool:
    output = output.lower().replace(",", "")
    return all(p.lower().replace(",", "") in output for p in expected.split(", "))


def reference_call(code: str, name: str, arguments: str, timeout: float = 10.0) -> str:
    try:
        args = json.loads(arguments)
        namespace: dict = {}
        exec(code, namespace)  # the reference compiles the tool's source on every call
        box: dict = {}

        def target() -> None:
            try:
                box["value"] = namespace[name](**args)
            except Exception as e:  # noqa: BLE001 - mirrors the reference
                box["error"] = e
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        thread.join(timeout)
        if "error" in box:
            raise box["error"]
        value = box.get("value")
        return json.dumps(value) if isinstance(value, (dict, list)) else str(value)
    except Exception as e:  # noqa: BLE001
        return f"an error occured when call {name}: {e}"


def reference_step(text: str, code: str, pending: list[str]) -> float:
    import re
    calls = [json.loads(m) for m in re.findall(r"<tool_call>(.*?)</tool_call>", text, re.S)]
    solved = 0
    for call in calls:
        output = reference_call(code, call["name"], json.dumps(call["arguments"]))
        for i, answer in enumerate(pending):
            if reference_answer_verify(answer, output):
                pending.pop(i)
                solved += 1
                break
    return 2 * solved / (len(calls) + 1)


# -- timing ---------------------------------------------------------------------------------------------------

def median_us(fn, setup, repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        state = setup()
        start = time.perf_counter_ns()
        fn(state)
        samples.append(time.perf_counter_ns() - start)
    return statistics.median(samples) / 1000


def first_step_us(task: Task, action: object, repeats: int) -> tuple[float, float]:
    """Median µs of reset + first step with fresh tool modules per episode (toolgym's way), and with a new
    executor per episode that reuses one set of loaded modules (the way before tool state was per episode).
    Samples alternate between the two, so a slow spell of the machine hits both alike."""
    warm = TrustedExecutor(task)

    def sharing(task: Task) -> TrustedExecutor:
        executor = TrustedExecutor(task)
        executor._tools = warm._tools  # the loaded modules of every earlier episode: the old shared state
        return executor
    envs = ToolEnv([task], executor=TrustedExecutor), ToolEnv([task], executor=sharing)
    samples: tuple[list[int], list[int]] = ([], [])
    for _ in range(repeats):
        for env, times in zip(envs, samples):
            start = time.perf_counter_ns()
            env.reset(seed=0)
            env.step(action)
            times.append(time.perf_counter_ns() - start)
    fresh, shared = (statistics.median(times) / 1000 for times in samples)
    return fresh, shared


TARGET_SPEEDUP = 15  # issue #15: the 1-call step against the reference pattern


def spread(values: list[float], fmt: str, unit: str = "") -> str:
    """`median [min-max]` of `values`."""
    return (f"{format(statistics.median(values), fmt)}{unit} "
            f"[{format(min(values), fmt)}-{format(max(values), fmt)}]")


def generated_l5() -> tuple[Task, object]:
    env = gym.make("ToolEnv/travel-L5")
    env.reset(seed=0)
    return env.unwrapped.task, env.unwrapped.oracle_actions()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2000, help="samples per median")
    parser.add_argument("--rounds", type=int, default=3, help="medians per figure, alternating the two sides")
    args = parser.parse_args()
    task = make_task()
    env = ToolEnv([task], executor=TrustedExecutor)  # the in-process path this benchmark is about
    print(f"medians of {args.repeats} steps, {args.rounds} rounds: median [range over rounds]; "
          f"target: 1-call >= {TARGET_SPEEDUP}x")
    print(f"{'turn':<8}{'toolgym µs':>22}{'reference µs':>24}{'speed-up':>22}")
    for n in (1, 3):
        text = hermes(CALLS[:n])

        def env_setup():
            env.reset(seed=0)
            return text
        ours, ref = [], []
        for _ in range(args.rounds):
            ours.append(median_us(env.step, env_setup, args.repeats))
            ref.append(median_us(lambda p: reference_step(text, HOTEL_CODE, p), lambda: list(EXPECTED),
                                 args.repeats))
        ratios = [r / o for r, o in zip(ref, ours)]
        print(f"{n}-call  {spread(ours, '.1f'):>22}{spread(ref, '.0f'):>24}{spread(ratios, '.1f', 'x'):>22}")
    print(f"\n{'reset + first step':<22}{'fresh µs':>10}{'shared µs':>11}{'cost µs':>9}{'ratio':>7}")
    for label, (bench_task, action) in (("benchmark tool", (task, hermes(CALLS[:1]))),
                                        ("generated travel-L5", generated_l5())):
        fresh, shared = first_step_us(bench_task, action, args.repeats)
        print(f"{label:<22}{fresh:>10.1f}{shared:>11.1f}{fresh - shared:>9.1f}{fresh / shared:>7.2f}")


if __name__ == "__main__":
    main()
