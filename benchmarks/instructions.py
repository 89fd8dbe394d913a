"""Instructions per generated task, counted by valgrind (callgrind): a figure the machine's noise cannot move.

    python benchmarks/instructions.py [--domain travel] [--levels 1,5] [--tasks 200] [--root CHECKOUT]

Wall-clock throughput on a shared VM swings by a quarter over minutes; the number of instructions the CPU runs
for a task does not. For each level this runs, under callgrind, a process that warms up (100 tasks at other
indices) and then generates `--tasks` tasks (fewer at higher levels), and the same process with none: the
difference, divided by the tasks, is the cost of one task. Needs `valgrind` (apt-get install valgrind); takes
about half a minute per level on a quiet machine. `--root` counts another checkout's generator (say an export of
main: `git archive main | tar -x -C /tmp/main`), for a before/after the machine's noise cannot blur.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WARM_UP = 100
FRESH_OFFSET = 1_000_000
WORKER = """
import sys
sys.path.insert(0, {root!r})
from toolgym.generation import generate_task
domain, level, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
for i in range({warm_up}):
    generate_task(domain, level, {offset} + i)
for i in range(n):
    generate_task(domain, level, i)
"""


def instructions(domain: str, level: int, tasks: int, root: Path = ROOT) -> int:
    """Instructions callgrind counts for the worker generating `tasks` tasks after its warm-up."""
    code = WORKER.format(root=str(root), warm_up=WARM_UP, offset=FRESH_OFFSET)
    # fixed set and dict orders; no BLAS threads (numpy comes with gymnasium), whose spinning callgrind would count
    env = {**os.environ, "PYTHONHASHSEED": "0", "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                           "-c", code, domain, str(level), str(tasks)], env=env, capture_output=True, text=True,
                          check=True)
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise RuntimeError(f"callgrind printed no count:\n{done.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    """Print the instructions per task of each level."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domain", default="travel")
    parser.add_argument("--levels", default="1,5", help="comma-separated levels")
    parser.add_argument("--tasks", type=int, default=200, help="tasks counted at L1 (fewer at higher levels)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout whose generator is counted")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is not installed: apt-get install valgrind")
    print(f"{args.root}, domain={args.domain}: instructions per task (callgrind, after a warm-up of {WARM_UP} tasks)")
    for level in (int(x) for x in args.levels.split(",")):
        tasks = max(args.tasks * 3 // (3 + 2 * (level - 1)), 20)
        per_task = (instructions(args.domain, level, tasks, args.root)
                    - instructions(args.domain, level, 0, args.root)) / tasks
        print(f"L{level}: {per_task / 1e6:6.2f} M instructions/task ({tasks} tasks)", flush=True)


if __name__ == "__main__":
    main()
