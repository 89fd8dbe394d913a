import random

from hypothesis import given
from hypothesis import strategies as st

from toolgym.generation.backends.procedural.names import _SYLLABLE_TABLE, SYLLABLES, invent_unique, invent_word


def reference_word(rng: random.Random) -> str:
    """The word as `Random.choice` draws it: what `invent_word` inlines."""
    return "".join([rng.choice(_SYLLABLE_TABLE) for _ in range(rng.choice(SYLLABLES))]).capitalize()


@given(st.integers(min_value=0, max_value=2**64 - 1), st.integers(min_value=1, max_value=40))
def test_inline_draws_equal_random_choice(seed, words):
    fast, slow = random.Random(seed), random.Random(seed)
    assert [invent_word(fast) for _ in range(words)] == [reference_word(slow) for _ in range(words)]
    assert fast.random() == slow.random()  # the generator is left in the same state


def test_unique_words_are_never_reused_case_insensitively():
    rng, taken = random.Random(0), set()
    words = [invent_unique(rng, taken) for _ in range(500)]
    assert len({w.lower() for w in words}) == 500 and taken == {w.lower() for w in words}
