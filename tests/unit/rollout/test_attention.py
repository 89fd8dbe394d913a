"""The grouped attention equals transformers' `sdpa` on left-padded batches: logits, gradients, greedy decoding."""

import pytest

from tests.fixtures.extras import require
from toolgym.rollout.attention import NAME, use_grouped_attention

torch = require("torch")
transformers = require("transformers")


def gqa_llama(**overrides):
    """A small random Llama with 4 query heads over 2 key/value heads (SmolLM2's 9 over 3, scaled down)."""
    torch.manual_seed(0)
    config = transformers.LlamaConfig(**{"vocab_size": 97, "hidden_size": 32, "intermediate_size": 64,
                                         "num_hidden_layers": 2, "num_attention_heads": 4,
                                         "num_key_value_heads": 2, "attn_implementation": "sdpa", **overrides})
    return transformers.LlamaForCausalLM(config).eval()


def twins(**overrides):
    plain = gqa_llama(**overrides)
    grouped = gqa_llama(**overrides)
    grouped.load_state_dict(plain.state_dict())
    return plain, use_grouped_attention(grouped)


def left_padded(rows, pad=0):
    width = max(map(len, rows))
    ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows])
    mask = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows])
    return ids, mask


ROWS = [[5, 6, 7, 8, 9, 10, 11], [12, 13], [14, 15, 16, 17]]


def test_switches_only_sdpa_models_with_grouped_heads():
    assert use_grouped_attention(gqa_llama()).config._attn_implementation == NAME
    assert use_grouped_attention(gqa_llama(num_key_value_heads=4)).config._attn_implementation == "sdpa"
    assert use_grouped_attention(gqa_llama(attn_implementation="eager")).config._attn_implementation == "eager"


@pytest.mark.parametrize("rows", [ROWS, [[5, 6, 7]]], ids=["padded", "unpadded"])
def test_logits_and_gradients_equal_sdpa(rows):
    plain, grouped = twins()
    ids, mask = left_padded(rows)
    outputs = []
    for model in (plain, grouped):
        logits = model(input_ids=ids, attention_mask=mask).logits
        (logits * mask.unsqueeze(-1)).square().sum().backward()
        outputs.append((logits.detach(), {n: p.grad for n, p in model.named_parameters()}))
    (a, grads_a), (b, grads_b) = outputs
    assert torch.allclose(a, b, atol=1e-6)
    for name, grad in grads_a.items():
        assert torch.allclose(grad, grads_b[name], atol=1e-5), name


def test_greedy_decoding_with_a_cache_is_unchanged():
    plain, grouped = twins()
    ids, mask = left_padded(ROWS)
    generated = [model.generate(input_ids=ids, attention_mask=mask, max_new_tokens=12, min_new_tokens=12,
                                do_sample=False, pad_token_id=0) for model in (plain, grouped)]
    assert torch.equal(*generated)
