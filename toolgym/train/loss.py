"""Per-token log-probabilities of sampled completions, and the clipped policy loss with a KL penalty.

Batches are left-padded so that every completion ends at the right edge: the model is asked for the logits of
the last `max completion + 1` positions only (`logits_to_keep`), never for the whole prompt (a 49k vocabulary
over a 1,500-token prompt is 300 MB of logits per sequence).

A micro-batch whose sequences all share one prompt (the G samples of a state, or the first turns of a group's
episodes) is run as that prompt once, its key/value cache repeated for the G completions (right-padded): the
prompt is most of the tokens (SmolLM2 on L1: ~450 prompt tokens for ~40 sampled), so this is ~3x less work per
group. The gradient flows back through the shared cache, so it equals the separate rows' (tested).

Loss per completion token t, with ratio r = exp(logp - logp_old) and advantage A:
    -min(r A, clip(r, 1 - eps, 1 + eps) A) + beta * k3,   k3 = exp(q) - q - 1,  q = logp_ref - logp
(k3: Schulman's unbiased, always non-negative estimator of KL(pi || pi_ref)). The batch loss is the mean over all
completion tokens of the step (token-level, so a long turn is not down-weighted). SFT is the same pass with
loss = -logp (weight 1).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from toolgym.train.sequences import TrainSequence


@dataclass
class Batch:
    """Left-padded sequences of one micro-batch (tensors on the model's device)."""

    input_ids: Any       # [B, T]
    attention_mask: Any  # [B, T]
    position_ids: Any    # [B, T]: counted from each row's first real token
    completion_mask: Any  # [B, K]: 1 on the completion tokens among the K targets
    targets: Any         # [B, K]: the token that follows each of the last K positions
    advantages: Any      # [B]
    shared_prompt: bool = False  # input_ids is the prompt [1, P]; targets the completions [B, K], right-padded


def make_batch(torch: Any, sequences: Sequence[TrainSequence], pad: int, device: Any, *, share: bool = True
               ) -> Batch:
    """The micro-batch of `sequences`; with one prompt shared by all (and `share`), the prompt-once layout."""
    if share and len(sequences) > 1 and len({s.prompt_ids for s in sequences}) == 1:
        return _shared_prompt_batch(torch, sequences, pad, device)
    rows = [list(s.prompt_ids) + list(s.completion_ids) for s in sequences]
    width = max(map(len, rows))
    keep = max(len(s.completion_ids) for s in sequences)
    ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows], device=device)
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=device)
    completion = torch.tensor([[0] * (keep - len(s.completion_ids)) + [1] * len(s.completion_ids)
                               for s in sequences], device=device)
    return Batch(ids, mask, (mask.cumsum(1) - 1).clamp(min=0), completion, ids[:, -keep:],
                 torch.tensor([s.advantage for s in sequences], device=device))


def _shared_prompt_batch(torch: Any, sequences: Sequence[TrainSequence], pad: int, device: Any) -> Batch:
    prompt = list(sequences[0].prompt_ids)
    keep = max(len(s.completion_ids) for s in sequences)
    completions = torch.tensor([list(s.completion_ids) + [pad] * (keep - len(s.completion_ids)) for s in sequences],
                               device=device)
    mask = torch.tensor([[1] * len(s.completion_ids) + [0] * (keep - len(s.completion_ids)) for s in sequences],
                        device=device)
    ones = torch.ones(len(sequences), len(prompt) + keep, dtype=torch.long, device=device)
    return Batch(torch.tensor([prompt], device=device), ones, None, mask, completions,
                 torch.tensor([s.advantage for s in sequences], device=device), True)


def token_logprobs(model: Any, batch: Batch, temperature: float = 1.0, *, entropy: bool = False
                   ) -> tuple[Any, Any]:
    """(log-probabilities of the K targets [B, K], their entropies [B, K] or None)."""
    import torch
    logits = (_shared_prompt_logits(model, batch) if batch.shared_prompt else
              model(input_ids=batch.input_ids, attention_mask=batch.attention_mask, position_ids=batch.position_ids,
                    logits_to_keep=batch.targets.shape[1] + 1).logits[:, :-1]).float()
    logits = logits / temperature
    logp_all = torch.log_softmax(logits, dim=-1)
    logp = logp_all.gather(-1, batch.targets.unsqueeze(-1)).squeeze(-1)
    if not entropy:
        return logp, None
    with torch.no_grad():  # a statistic: no gradient
        detached = logp_all.detach()
        return logp, -(detached.exp() * detached).sum(-1)


def _shared_prompt_logits(model: Any, batch: Batch) -> Any:
    """Logits predicting each completion token [B, K]: the prompt's last position predicts the first token."""
    import torch
    rows, width = batch.targets.shape
    prompt = model(input_ids=batch.input_ids, use_cache=True, logits_to_keep=1)
    cache = prompt.past_key_values
    cache.batch_repeat_interleave(rows)  # differentiable: the rows' gradients add up in the prompt's pass
    if width == 1:
        return prompt.logits.expand(rows, -1, -1)
    start = batch.input_ids.shape[1]
    positions = torch.arange(start, start + width - 1, device=batch.targets.device).expand(rows, -1)
    rest = model(input_ids=batch.targets[:, :-1], attention_mask=batch.attention_mask[:, :-1],
                 position_ids=positions, past_key_values=cache).logits
    return torch.cat([prompt.logits.expand(rows, -1, -1), rest], dim=1)


@dataclass(frozen=True)
class LossSettings:
    clip: float = 0.2   # eps of the clipped ratio
    beta: float = 0.04  # weight of the k3 KL penalty (0: no reference model needed)


def policy_loss(torch: Any, logp: Any, old_logp: Any, ref_logp: Any | None, batch: Batch,
                settings: LossSettings) -> tuple[Any, dict[str, Any]]:
    """The summed (not yet averaged) token loss of a micro-batch and its summed statistics."""
    mask = batch.completion_mask.float()
    advantage = batch.advantages.unsqueeze(1)
    ratio = torch.exp(logp - old_logp)
    unclipped, clipped = ratio * advantage, ratio.clamp(1 - settings.clip, 1 + settings.clip) * advantage
    loss = -torch.minimum(unclipped, clipped)
    stats = {"clipped_tokens": ((clipped < unclipped).float() * mask).sum().item()}
    if ref_logp is not None:
        q = ref_logp - logp
        kl = torch.exp(q) - q - 1
        loss = loss + settings.beta * kl
        stats["kl_sum"] = (kl.detach() * mask).sum().item()
    return (loss * mask).sum(), stats


def sft_loss(logp: Any, batch: Batch) -> Any:
    """Summed negative log-likelihood of the completion tokens."""
    return -(logp * batch.completion_mask.float()).sum()
