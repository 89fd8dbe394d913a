import pytest

from tests.fixtures.extras import require
from toolgym.train.loss import LossSettings, make_batch, policy_loss, token_logprobs
from toolgym.train.sequences import TrainSequence

torch = require("torch")


@pytest.fixture(scope="module")
def tiny():
    from toolgym.train.models import load
    return load("tiny")


def unpadded_logprobs(model, sequence):
    ids = torch.tensor([list(sequence.prompt_ids) + list(sequence.completion_ids)])
    logp = torch.log_softmax(model(input_ids=ids).logits[0, :-1].float(), -1)
    targets = ids[0, 1:]
    return logp.gather(-1, targets.unsqueeze(-1)).squeeze(-1)[-len(sequence.completion_ids):]


def test_left_padded_batches_give_each_sequence_its_own_logprobs(tiny):
    model, tokenizer = tiny
    sequences = [TrainSequence((5, 6, 7, 8, 9, 10), (11, 12), 1.0), TrainSequence((5, 6), (13, 14, 15, 16, 17), -1.0),
                 TrainSequence((20,), (21,), 0.5)]
    batch = make_batch(torch, sequences, tokenizer.pad_token_id, "cpu")
    with torch.no_grad():
        logp, entropy = token_logprobs(model, batch, entropy=True)
        for row, sequence in enumerate(sequences):
            n = len(sequence.completion_ids)
            assert batch.completion_mask[row].sum() == n
            assert torch.allclose(logp[row, -n:], unpadded_logprobs(model, sequence), atol=1e-5)
    assert (entropy >= 0).all()


def fake_batch(advantages, mask):
    return type("B", (), {"completion_mask": torch.tensor(mask), "advantages": torch.tensor(advantages)})


def test_at_ratio_one_the_loss_is_minus_the_advantage_and_k3_is_zero_at_the_reference():
    logp = torch.log(torch.tensor([[0.5, 0.25], [0.1, 0.9]]))
    batch = fake_batch([2.0, -1.0], [[1, 1], [0, 1]])
    loss, stats = policy_loss(torch, logp, logp, logp, batch, LossSettings())
    assert loss.item() == pytest.approx(-2.0 * 2 + 1.0)
    assert stats == {"clipped_tokens": 0.0, "kl_sum": 0.0}


def test_the_ratio_is_clipped_only_where_it_would_overshoot_and_k3_is_positive():
    old = torch.zeros(1, 3)
    logp = torch.tensor([[0.5, -0.5, 0.05]])  # ratios e^0.5 (above 1.2), e^-0.5 (below 0.8), ~1.05
    up = policy_loss(torch, logp, old, old, fake_batch([1.0], [[1, 1, 1]]), LossSettings(clip=0.2))
    down = policy_loss(torch, logp, old, old, fake_batch([-1.0], [[1, 1, 1]]), LossSettings(clip=0.2))
    assert up[1]["clipped_tokens"] == 1.0 and down[1]["clipped_tokens"] == 1.0
    assert up[1]["kl_sum"] > 0
    no_kl = policy_loss(torch, logp, old, None, fake_batch([1.0], [[1, 1, 1]]), LossSettings(clip=0.2))
    assert "kl_sum" not in no_kl[1]
    assert no_kl[0].item() == pytest.approx(-(1.2 + torch.exp(torch.tensor(-0.5)).item() + 1.05127), abs=1e-4)


def completion_values(batch, values):
    """Each row's values on its completion tokens, whatever the batch layout."""
    return [row[mask.bool()] for row, mask in zip(values, batch.completion_mask)]


@pytest.mark.parametrize("completions", [[(11, 12, 13), (14,), (15, 16, 17, 18, 19)], [(11,), (12,)]],
                         ids=["ragged", "one-token"])
def test_a_shared_prompt_runs_once_with_the_same_logprobs_and_gradients(tiny, completions):
    model, tokenizer = tiny
    sequences = [TrainSequence((5, 6, 7, 8, 9, 10), c, a) for c, a in zip(completions, (1.0, -0.5, 0.25))]
    results = []
    for share in (True, False):
        batch = make_batch(torch, sequences, tokenizer.pad_token_id, "cpu", share=share)
        assert batch.shared_prompt is share and batch.input_ids.shape[0] == (1 if share else len(sequences))
        model.zero_grad(set_to_none=True)
        logp, _ = token_logprobs(model, batch)
        policy_loss(torch, logp, logp.detach(), None, batch, LossSettings())[0].backward()
        results.append((completion_values(batch, logp.detach()),
                        {name: p.grad.clone() for name, p in model.named_parameters() if p.grad is not None}))
    (shared, shared_grads), (separate, separate_grads) = results
    for a, b in zip(shared, separate):
        assert torch.allclose(a, b, atol=1e-5)
    assert shared_grads.keys() == separate_grads.keys()
    for name, grad in separate_grads.items():
        assert torch.allclose(shared_grads[name], grad, atol=1e-5, rtol=1e-4), name


def test_micro_batches_put_shared_prompts_together():
    from toolgym.train.trainer import micro_batches
    a, b = (1, 2), (3, 4)
    sequences = [TrainSequence(a, (5,), 1.0), TrainSequence(b, (6,), 1.0), TrainSequence(a, (7,), -1.0),
                 TrainSequence((9,), (8,), 0.0), TrainSequence(a, (10,), 0.0)]
    chunks = micro_batches(sequences, 2)
    assert sorted(map(id, (s for c in chunks for s in c))) == sorted(map(id, sequences))
    assert [[s.prompt_ids for s in c] for c in chunks] == [[a, a], [a], [b, (9,)]]
