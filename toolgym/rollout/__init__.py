"""Rollouts: play episodes with a policy and keep what the model really produced.

One runner (`Runner`, async; `rollout`, its sync wrapper) plays episodes of env ids, task files or task lists
with any `Policy`: `OpenAIPolicy` (an OpenAI-compatible server), `LocalPolicy` (a transformers model, batched,
keeping token ids), `OraclePolicy` and `RandomPolicy`. A trajectory is one JSON object per episode: the raw
completion text of every assistant turn, per-turn rewards, metrics, answer correctness, why it stopped, token
usage and latency. `toolgym.rollout.report` turns trajectories into a benchmark report; `toolgym eval` is the CLI.
Heavy dependencies (openai, torch, transformers) are imported only by the policy that needs them.
"""

from toolgym.rollout.baselines import OraclePolicy, RandomPolicy
from toolgym.rollout.messages import AutoParser, to_hf_messages, to_openai_messages, tools_system_message
from toolgym.rollout.policy import STOP_REASONS, EpisodeContext, EpisodeStop, Policy, RunAborted, Turn
from toolgym.rollout.runner import EpisodeSpec, Runner, Trajectory, episodes, make_env, play_episode, rollout

__all__ = ["STOP_REASONS", "AutoParser", "EpisodeContext", "EpisodeSpec", "EpisodeStop", "OraclePolicy", "Policy",
           "RandomPolicy", "RunAborted", "Runner", "Trajectory", "Turn", "episodes", "make_env", "play_episode",
           "rollout", "to_hf_messages", "to_openai_messages", "tools_system_message"]
