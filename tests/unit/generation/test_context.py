from toolgym.generation.context import GenerationContext


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
