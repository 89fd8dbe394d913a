"""Build the wheel, install it into a fresh virtual environment and use it from another directory."""

import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

SCRIPT = """
import sys
import gymnasium as gym
import toolgym

assert "torch" not in sys.modules and "openai" not in sys.modules and "transformers" not in sys.modules
assert toolgym.__file__.startswith(sys.prefix), toolgym.__file__
for split in ("train", "test"):
    env = gym.make("ToolEnv/travel-L3", split=split)
    obs, info = env.reset(seed=3)
    for action in env.unwrapped.oracle_actions():
        obs, reward, terminated, truncated, info = env.step(action)
    assert terminated and info["answer_correct"] and info["metrics"]["solve_f1"] == 1.0, info
tasks = [gym.make("ToolEnv/food-L2").unwrapped.tasks[i] for i in range(3)]
toolgym.save_tasks(tasks, "tasks.jsonl.gz")
assert toolgym.load_tasks("tasks.jsonl.gz") == tasks
print("episode ok")
"""


@pytest.mark.slow
def test_wheel_installs_and_runs_an_episode_from_another_directory(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
                   check=True, cwd=tmp_path)
    wheel = next(dist.glob("toolgym-*.whl"))
    _check_metadata(wheel)
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, cwd=tmp_path)
    work = tmp_path / "elsewhere"
    work.mkdir()
    out = subprocess.run([str(python), "-c", SCRIPT], capture_output=True, text=True, cwd=work)
    assert out.returncode == 0, out.stderr
    assert "episode ok" in out.stdout
    listing = subprocess.run([str(env_dir / "bin" / "toolgym"), "list"], capture_output=True, text=True, cwd=work)
    assert listing.returncode == 0 and "ToolEnv/real_estate-L5" in listing.stdout, listing.stderr


def _check_metadata(wheel: Path) -> None:
    """PEP 639 license metadata, the license text shipped, a PyPI description whose commands work from the index."""
    import zipfile

    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        metadata = archive.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
        license_text = archive.read(next(n for n in names if n.endswith(".dist-info/licenses/LICENSE"))).decode()
    assert "License-Expression: Apache-2.0" in metadata.splitlines()
    assert "Apache License" in license_text and "END OF TERMS AND CONDITIONS" in license_text
    description = metadata.split("\n\n", 1)[1]
    assert "pip install toolgym" in description and "-e ." not in description and "constraints.txt" not in description
