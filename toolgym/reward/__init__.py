"""The verifiable reward: matching, the pending-answer tracker, reward presets and the per-episode verifier.

A `Verifier` is made per episode from a task and a preset name. Each turn it hands every call's output to an
immutable `Pending` tracker, which removes the first sub-answer listed under that call's tool that the preset's
matcher finds (one call solves at most one), then asks the preset what the turn earns. `"ftrl"` reproduces the
reference turn by turn, for comparisons: its reading of completions, its way of running calls (both carried by
the preset: `parser`, `ftrl_execution`), its formulas and its substring matching; `"default"` keeps their intent
but matches tokens and numbers, never lets an error or a repeated call solve, judges a final answer strictly
(`answers`: stated, not negated, hedged or listed), and makes the episode return at most 2, reached only by a
minimal correct solution, so splitting, repeating, spraying or stalling never pays. Turns are scored as exact
fractions (`Verifier.episode_return`), so "reached exactly" holds for the float sum of the rewards too.
"""

from toolgym.reward.answers import answer_problem
from toolgym.reward.matching import Tokens, canonical_number, ftrl_match, strict_match, tokenize, tokens
from toolgym.reward.metrics import aggregate, episode_metrics, mean_metrics
from toolgym.reward.presets import (ALL_SOLVED_REWARD, EMPTY_RESPONSE_PENALTY, FTRL_VARIANTS, MALFORMED_CALL_PENALTY,
                                    MAX_EXTRA_ANSWER_TOKENS, NO_PROGRESS_REWARD, PRESETS, WASTED_CALL_PENALTY,
                                    DefaultPreset, FtrlPreset, RewardPreset, answer_reward, answer_span,
                                    get_preset, is_error_result)
from toolgym.reward.tracker import Pending
from toolgym.reward.verifier import TurnScore, Verifier

__all__ = [
    "ALL_SOLVED_REWARD", "EMPTY_RESPONSE_PENALTY", "FTRL_VARIANTS", "MALFORMED_CALL_PENALTY",
    "MAX_EXTRA_ANSWER_TOKENS", "NO_PROGRESS_REWARD", "PRESETS", "WASTED_CALL_PENALTY", "DefaultPreset",
    "FtrlPreset", "Pending", "RewardPreset", "Tokens", "TurnScore", "Verifier", "aggregate", "answer_problem",
    "answer_reward",
    "answer_span", "canonical_number", "episode_metrics", "ftrl_match", "get_preset", "is_error_result",
    "mean_metrics", "strict_match", "tokenize", "tokens",
]
