"""Repeated prompts in a generation batch are prefilled once: the turns are the same as without sharing."""

import pytest

from tests.fixtures.extras import require

torch = require("torch")


@pytest.fixture(scope="module")
def policy():
    from toolgym.rollout.local_policy import LocalPolicy
    from toolgym.train.models import load
    model, tokenizer = load("tiny")
    return LocalPolicy.of(model.eval(), tokenizer, "tiny", max_tokens=12)


PROMPTS = [[5, 6, 7, 8, 9], [20, 21], [5, 6, 7, 8, 9], [30, 31, 32], [20, 21], [5, 6, 7, 8, 9]]


def test_repeated_prompts_are_prefilled_once_with_the_same_greedy_turns(policy, monkeypatch):
    calls = []
    prefill = type(policy)._shared_prefill
    monkeypatch.setattr(policy, "_shared_prefill", lambda *a: calls.append(a[2]) or prefill(policy, *a))
    shared = policy._generate(PROMPTS)
    assert calls and policy._shared_prefill(*_padded(policy, PROMPTS)) is not None
    monkeypatch.setattr(policy, "_shared_prefill", lambda *a: None)
    separate = policy._generate(PROMPTS)
    assert [t.completion_ids for t in shared] == [t.completion_ids for t in separate]
    assert [t.prompt_ids for t in shared] == PROMPTS


def test_distinct_prompts_are_not_prefilled_apart(policy):
    assert policy._shared_prefill(*_padded(policy, [[5, 6], [7, 8, 9]])) is None


def _padded(policy, prompts):
    width = max(map(len, prompts))
    ids = torch.tensor([[0] * (width - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (width - len(p)) + [1] * len(p) for p in prompts])
    return ids, mask, prompts
