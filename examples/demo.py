"""Demo: generate tool-use environments, play them with the oracle and with a random policy, compare metrics.

    python examples/demo.py [--domains travel,finance] [--levels 1,3,5] [--episodes 5]
"""

from __future__ import annotations

import argparse
import statistics

import gymnasium as gym

import toolgym  # noqa: F401  (registers ToolEnv/<domain>-L<level>)
from toolgym.generation import domain_names


def run_episode(env: gym.Env, seed: int, policy: str) -> tuple[float, dict]:
    """Play one episode with `policy` ('oracle' or 'random'); return (return, final info)."""
    obs, info = env.reset(seed=seed)
    actions = iter(env.unwrapped.oracle_actions()) if policy == "oracle" else None
    total, done = 0.0, False
    while not done:
        action = next(actions) if actions else env.action_space.sample()
        obs, reward, terminated, truncated, info = env.step(action)
        total, done = total + reward, terminated or truncated
    return total, info


def summarize(results: list[tuple[float, dict]]) -> str:
    mean = lambda values: statistics.fmean(values)  # noqa: E731
    f1 = mean([info["metrics"]["solve_f1"] for _, info in results])
    correct = mean([float(bool(info["answer_correct"])) for _, info in results])
    return f"{mean([r for r, _ in results]):>7.2f} {f1:>6.2f} {correct:>6.0%}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--domains", default="travel,finance,weather")
    parser.add_argument("--levels", default="1,3,5")
    parser.add_argument("--episodes", type=int, default=5)
    args = parser.parse_args()
    domains = [d for d in args.domains.split(",") if d in domain_names()] or list(domain_names())[:3]
    print(f"{'id':<24}{'tools':>6}  {'oracle: return  F1  answer':<28}{'random: return  F1  answer'}")
    for domain in domains:
        for level in (int(v) for v in args.levels.split(",")):
            env = gym.make(f"ToolEnv/{domain}-L{level}", max_turns=6)
            env.action_space.seed(0)
            oracle = [run_episode(env, seed, "oracle") for seed in range(args.episodes)]
            random = [run_episode(env, seed, "random") for seed in range(args.episodes)]
            tools = len(env.unwrapped.task.tools)
            print(f"{f'ToolEnv/{domain}-L{level}':<24}{tools:>6}  {summarize(oracle):<28}{summarize(random)}")
    env.reset(seed=0)
    print("\nOne oracle episode (ToolEnv/%s-L%s, seed 0):\n" % (domains[-1], level))
    for action in env.unwrapped.oracle_actions():
        env.step(action)
    print(env.unwrapped.render())


if __name__ == "__main__":
    main()
