"""Per-token log-probabilities of sampled completions, and the clipped policy loss with a KL penalty.

Batches are left-padded so that every completion ends at the right edge: the model is asked for the logits of
the last `max completion + 1` positions only (`logits_to_keep`), never for the whole prompt (a 49k vocabulary
over a 1,500-token prompt is 300 MB of logits per sequence).

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
    completion_mask: Any  # [B, K]: 1 on the completion tokens among the last K targets
    targets: Any         # [B, K]: the token that follows each of the last K positions
    advantages: Any      # [B]


def make_batch(torch: Any, sequences: Sequence[TrainSequence], pad: int, device: Any) -> Batch:
    rows = [list(s.prompt_ids) + list(s.completion_ids) for s in sequences]
    width = max(map(len, rows))
    keep = max(len(s.completion_ids) for s in sequences)
    ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows], device=device)
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=device)
    completion = torch.tensor([[0] * (keep - len(s.completion_ids)) + [1] * len(s.completion_ids)
                               for s in sequences], device=device)
    return Batch(ids, mask, (mask.cumsum(1) - 1).clamp(min=0), completion, ids[:, -keep:],
                 torch.tensor([s.advantage for s in sequences], device=device))


def token_logprobs(model: Any, batch: Batch, temperature: float = 1.0, *, entropy: bool = False
                   ) -> tuple[Any, Any]:
    """(log-probabilities of the last K targets [B, K], their entropies [B, K] or None)."""
    import torch
    keep = batch.targets.shape[1]
    logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask,
                   position_ids=batch.position_ids, logits_to_keep=keep + 1).logits[:, :-1].float()
    logits = logits / temperature
    logp_all = torch.log_softmax(logits, dim=-1)
    logp = logp_all.gather(-1, batch.targets.unsqueeze(-1)).squeeze(-1)
    if not entropy:
        return logp, None
    with torch.no_grad():  # a statistic: no gradient
        detached = logp_all.detach()
        return logp, -(detached.exp() * detached).sum(-1)


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
