"""Properties of the generator over domains, levels, seeds and indices."""

import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.unit.generation.domain_checks import tool_error_problems
from toolgym.generation.checks import leak_problems, replay_problems, structure_problems
from toolgym.generation.domains import domain_names
from toolgym.generation.levels import LEVELS
from toolgym.generation.pipeline import generate_task

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = 25

inputs = st.tuples(st.sampled_from(domain_names()), st.sampled_from(sorted(LEVELS)),
                   st.integers(min_value=-(2**31), max_value=2**31), st.integers(min_value=0, max_value=10**6),
                   st.sampled_from(["train", "test"]))
fast = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(inputs)
def test_generation_is_deterministic(args):
    domain, level, seed, index, split = args
    a = generate_task(domain, level, index, seed=seed, split=split)
    b = generate_task(domain, level, index, seed=seed, split=split)
    assert a == b and a.content_hash == b.content_hash


@fast
@given(inputs)
def test_gold_plan_replays_to_every_answer(args):
    domain, level, seed, index, split = args
    assert replay_problems(generate_task(domain, level, index, seed=seed, split=split)) == []


@fast
@given(inputs)
def test_no_answer_leaks(args):
    domain, level, seed, index, split = args
    assert leak_problems(generate_task(domain, level, index, seed=seed, split=split)) == []


@fast
@given(inputs)
def test_structure_matches_the_level_table(args):
    domain, level, seed, index, split = args
    assert structure_problems(generate_task(domain, level, index, seed=seed, split=split)) == []


@fast
@given(inputs)
def test_tools_answer_invalid_arguments_with_error_strings(args):
    domain, level, seed, index, split = args
    assert tool_error_problems(generate_task(domain, level, index, seed=seed, split=split)) == []


CHILD = """
import json, sys
from toolgym.generation.pipeline import generate_task
cases = json.loads(sys.argv[1])
print(json.dumps([generate_task(d, l, i, seed=s).content_hash for d, l, i, s in cases]))
"""


def test_determinism_across_processes():
    cases = [["travel", 1, 0, 0], ["food", 3, 17, 5], ["real_estate", 5, 123, -4], ["sports", 4, 2, 99]]
    here = [generate_task(d, l, i, seed=s).content_hash for d, l, i, s in cases]
    env = {"PYTHONHASHSEED": "12345", "PYTHONPATH": str(ROOT)}  # a different str-hash salt must not matter
    out = subprocess.run([sys.executable, "-c", CHILD, json.dumps(cases)], capture_output=True, text=True,
                         check=True, cwd=ROOT, env=env).stdout
    assert json.loads(out) == here
