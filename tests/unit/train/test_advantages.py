import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolgym.errors import UnknownNameError
from toolgym.train.advantages import advantages

returns = st.floats(min_value=-5, max_value=5, allow_nan=False)
groups = st.lists(st.lists(returns, min_size=2, max_size=8), min_size=1, max_size=6)


@given(groups, st.sampled_from(["grpo", "reinforce++"]))
def test_advantages_are_centred_per_group_and_keep_the_order_of_returns(batch, algo):
    for group, advs in zip(batch, advantages(batch, algo)):
        assert len(advs) == len(group)
        assert abs(sum(advs)) < 1e-3 * len(group) * (1 + max(map(abs, advs)))
        for (r1, a1) in zip(group, advs):
            for (r2, a2) in zip(group, advs):
                if r1 > r2 + 1e-9:
                    assert a1 >= a2


def test_grpo_scales_each_group_by_its_own_spread_and_reinforce_pp_by_the_batch():
    batch = [[1.0, 0.0], [0.2, 0.0], [0.5, 0.5]]
    flat = [a for group in advantages(batch, "grpo") for a in group]
    assert flat == pytest.approx([1.0, -1.0, 1.0, -1.0, 0.0, 0.0], abs=1e-5)
    spread = advantages(batch, "reinforce++")
    assert spread[0][0] == pytest.approx(5 * spread[1][0], rel=1e-4)  # one scale for the whole batch
    assert spread[2] == [0.0, 0.0]


def test_an_unknown_algo_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="grpo, reinforce"):
        advantages([[1.0, 0.0]], "ppo2")
