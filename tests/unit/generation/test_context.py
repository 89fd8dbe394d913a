from hypothesis import given
from hypothesis import strategies as st

from toolgym.generation.context import GenerationContext, stable_seed


def test_rng_is_a_pure_function_of_the_context():
    ctx = GenerationContext(domain="travel", level=2, seed=7, index=3)
    assert ctx.rng("decompose").random() == GenerationContext(domain="travel", level=2, seed=7,
                                                              index=3).rng("decompose").random()


def test_every_part_of_the_key_matters():
    base = GenerationContext(domain="travel", level=2, seed=7, index=3)
    variants = [base.model_copy(update=u) for u in ({"split": "test"}, {"seed": 8}, {"index": 4}, {"level": 3},
                                                     {"domain": "food"}, {"attempt": 1})]
    keys = {base.key("decompose"), base.key("scale")} | {v.key("decompose") for v in variants}
    assert len(keys) == 2 + len(variants)


def test_retry_derives_the_next_attempt():
    ctx = GenerationContext(domain="travel", level=1)
    assert ctx.retry().attempt == 1 and ctx.retry().key("x") != ctx.key("x")


@given(st.sampled_from(["travel", "food"]), st.integers(1, 5), st.sampled_from(["train", "test"]),
       st.integers(-(2**40), 2**40), st.integers(0, 10**9), st.integers(0, 40), st.text(max_size=12))
def test_remembered_keys_equal_the_hash_of_their_parts(domain, level, split, seed, index, attempt, stage):
    ctx = GenerationContext(domain=domain, level=level, split=split, seed=seed, index=index, attempt=attempt)
    expected = stable_seed(domain, level, split, seed, index, attempt, stage)
    assert ctx.key(stage) == expected and ctx.key(stage) == expected  # computed, then remembered
