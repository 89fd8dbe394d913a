import pickle
from fractions import Fraction

import pytest

from toolgym.reward.presets import MALFORMED_CALL_PENALTY, WASTED_CALL_PENALTY
from toolgym.reward.verifier import TurnScore, Verifier
from tests.unit.reward.tasks import answer_turn, calls_turn, make_task


def hotel_task():
    return make_task({"hotel_price": ["1,536"], "flight_destination": ["Velmora", "Tarsk"]}, "1,536",
                     question="What do 3 nights cost?", extra_tools=("get_weather",))


def test_ftrl_episode_hand_computed():
    v = Verifier(hotel_task(), "ftrl")
    # 3 calls, 2 solving: 2*2/(3+1) = 1.0
    score = v.score_turn(*calls_turn(("flight_destination", "lands in Velmora"),
                                     ("flight_destination", "lands in Tarsk"), ("get_weather", "12 C")))
    assert score == TurnScore(1.0, ("Velmora", "Tarsk", None), None, False)
    # an error message solves under ftrl; parse issues are not counted: 2*1/(1+1) = 1.0
    score = v.score_turn(*calls_turn(("hotel_price", "an error occured when call hotel_price: 1536", "exception"),
                                     issues=2))
    assert score.reward == 1.0 and score.solved == ("1,536",)
    assert v.pending.is_empty
    # all solved, answer correct: 1/(1+0)
    score = v.score_turn(answer_turn("It is 1536."), [])
    assert score == TurnScore(1.0, (), True, True)
    assert v.metrics() == {"solve_precision": 0.75, "solve_rate": 1.0, "solve_f1": 2 * 3 / (4 + 3)}
    assert v.answer_correct and (v.solved_count, v.call_count) == (3, 4)


def test_ftrl_ends_on_a_malformed_turn():
    v = Verifier(hotel_task(), "ftrl:solve_rate")
    score = v.score_turn(answer_turn("<tool_call>{oops", issues=1), [])
    assert score.reward == MALFORMED_CALL_PENALTY and score.ends_episode


def test_ftrl_partial_answer_is_paid_by_pending_count():
    v = Verifier(hotel_task(), "ftrl")
    v.score_turn(*calls_turn(("hotel_price", "total 1,536")))
    assert v.score_turn(answer_turn("1,536"), []).reward == pytest.approx(1 / 3)  # U = 2 pending


def test_default_episode_hand_computed():
    v = Verifier(hotel_task())
    score = v.score_turn(*calls_turn(("flight_destination", "lands in Velmora"), ("get_weather", "12 C"),
                                     ("hotel_price", "Error: 1,536 is not a city"), issues=1))
    assert score.solved == ("Velmora", None, None)
    assert score.reward == pytest.approx((1 - WASTED_CALL_PENALTY * 3) / 3)
    # a malformed turn gets feedback and the episode goes on
    score = v.score_turn(answer_turn("", issues=1), [])
    assert score == TurnScore(MALFORMED_CALL_PENALTY, (), False, False)
    score = v.score_turn(*calls_turn(("flight_destination", "lands in Tarsk"), ("hotel_price", '{"total": 1536}')))
    assert score.reward == pytest.approx(2 / 3)
    score = v.score_turn(answer_turn("Final answer: 3 nights cost 1,536 USD"), [])
    assert score.reward == pytest.approx(1.0) and (score.answer_correct, score.ends_episode) == (True, True)
    assert v.metrics()["solve_precision"] == pytest.approx(3 / 5)
    exact = Fraction(1 * 4 - 3, 4 * 3) + Fraction(MALFORMED_CALL_PENALTY) + Fraction(2, 3) + 1
    assert v.episode_return == exact


def test_the_float_sum_of_the_rewards_is_the_exact_return_rounded_once():
    # 1/7 seven times sums to 0.9999999999999998 in floats; the rewards handed out sum to exactly 1.0.
    task = make_task({"t": [str(1000 + i) for i in range(7)]}, "5678")
    v, total = Verifier(task), 0.0
    for i in range(7):
        total += v.score_turn(*calls_turn(("t", str(1000 + i)))).reward
    assert sum([1 / 7] * 7) != 1.0 and total == 1.0 and v.episode_return == 1
    total += v.score_turn(answer_turn("Final answer: 5678"), []).reward
    assert total == 2.0


def test_repeating_a_call_does_not_solve_a_second_equal_sub_answer():
    task = make_task({"t": ["686", "686"]}, "686")
    v = Verifier(task)
    assert v.score_turn(*calls_turn(("t", "Hotel A has 686 rooms"), ("t", "Hotel A has 686 rooms"))).solved == (
        "686", None)
    assert v.score_turn(*calls_turn(("t", "Hotel B has 686 rooms"))).solved == ("686",)
    ftrl = Verifier(task, "ftrl")  # the reference's reward keeps its loophole
    assert ftrl.score_turn(*calls_turn(("t", "686"), ("t", "686"))).solved == ("686", "686")


def test_default_error_result_never_solves():
    v = Verifier(make_task({"stock_price": ["12"]}, "12"))
    score = v.score_turn(*calls_turn(("stock_price", "12", "timeout")))
    assert score.solved == (None,) and v.pending.remaining == 1


def test_answer_verdict_is_false_until_answered():
    v = Verifier(hotel_task())
    assert v.answer_correct is False
    assert v.score_turn(answer_turn("no idea"), []).answer_correct is False


def test_results_must_pair_with_calls():
    v = Verifier(hotel_task())
    parsed, pairs = calls_turn(("get_weather", "1"), ("get_weather", "2"))
    with pytest.raises(ValueError, match="pair each of the turn's 2 parsed calls"):
        v.score_turn(parsed, pairs[:1])


def test_empty_task_metrics_and_repr():
    v = Verifier(make_task({}, "yes", extra_tools=("noop",)))
    assert v.metrics() == {"solve_precision": 0.0, "solve_rate": 1.0, "solve_f1": 1.0}  # no call: precision 0
    assert v.score_turn(answer_turn("yes"), []).reward == 1.0
    assert "preset='default'" in repr(v)


def test_verifier_survives_pickling_mid_episode():
    v = Verifier(hotel_task(), "ftrl:solve_pr")
    v.score_turn(*calls_turn(("flight_destination", "lands in Velmora")))
    copy = pickle.loads(pickle.dumps(v))
    assert copy.pending == v.pending and copy.preset == v.preset and copy.metrics() == v.metrics()
    assert copy.num_expected == 3
    assert copy.score_turn(*calls_turn(("flight_destination", "Tarsk"))).solved == ("Tarsk",)
