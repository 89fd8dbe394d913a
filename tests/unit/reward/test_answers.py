"""The default preset judges a final answer strictly: it must be stated, not negated, hedged or listed."""

import pytest

from toolgym.reward.answers import answer_problem
from toolgym.reward.presets import DefaultPreset
from tests.unit.reward.tasks import make_task

ROOMS = make_task({"get_rooms": ["686", "918", "720"], "calculate": ["918"]}, "918",
                  question="Which of Hotel Stithgux, Hotel Praelgounrous and Hotel Fekbrounzaeth has the most rooms, "
                           "and how many?")
CITY = make_task({"flight_destination": ["Velmora"]}, "Velmora", question="Where does flight ZX-101 land?")


@pytest.mark.parametrize("reply", [
    "Final answer: 918", "It has 918 rooms.", "Final answer: 9.18e2", "Hotel Praelgounrous has 918 rooms.",
    "The largest one is 918.", "Final answer: 918 (Hotel Stithgux has fewer)"])
def test_plain_numeric_answers_are_correct(reply):
    assert DefaultPreset().answer_correct(reply, ROOMS), answer_problem(reply, ROOMS)


@pytest.mark.parametrize("reply", [
    "not 918", "Final answer: it isn't 918", "918 thousand", "918k", "918e3", "Final answer: 918 million rooms",
    "1-99999 918", "918 or nine hundred", "Final answer: 918 or 920", "686 720 918", "Final answer: 686, 720, 918",
    "Maybe 918", "Final answer: roughly 918"])
def test_negated_scaled_hedged_or_listed_numbers_are_wrong(reply):
    assert not DefaultPreset().answer_correct(reply, ROOMS)


@pytest.mark.parametrize("reply, correct", [
    ("Final answer: Velmora", True), ("It lands in Velmora, the capital.", True), ("Velmora.", True),
    ("Flight ZX-101 lands in Velmora, in Norland.", True),
    ("Velmora Tarsk Quellin Zorvik Brarlour Paexprul Qualtrefor Pengrosvon Stithgux Fekbrounzaeth Lunor Kesh", False),
    ("Velmora or Tarsk", False), ("Velmora/Tarsk/Quellin", False), ("not Velmora", False),
    ("It does not land in Velmora", False), ("Perhaps Velmora", False)])
def test_word_answers(reply, correct):
    assert DefaultPreset().answer_correct(reply, CITY) is correct


def test_an_answer_that_is_itself_a_negation_may_say_it():
    task = make_task({}, "No", question="Is the hotel open?", extra_tools=("is_open",))
    assert DefaultPreset().answer_correct("Final answer: No", task)
    assert not DefaultPreset().answer_correct("Final answer: Yes", task)


def test_twelve_candidate_words_without_a_call_earn_nothing_more_than_i_dont_know():
    from toolgym.models.calls import ParsedTurn
    from toolgym.reward.verifier import Verifier
    reply = "Velmora Tarsk Quellin Zorvik Brarlour Paexprul Qualtrefor Pengrosvon Stithgux Lunor Kesh Ard"
    assert Verifier(CITY).score_turn(ParsedTurn(reply), []).reward == 0.0
    assert Verifier(CITY).score_turn(ParsedTurn("I don't know"), []).reward == 0.0


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

MAGNITUDES = ["thousand", "million", "billion", "k", "K", "m", "bn", "e3", "e+2", " hundred", " dozen"]


@settings(max_examples=200, deadline=None)
@given(n=st.integers(1, 10**9), magnitude=st.sampled_from(MAGNITUDES), spaced=st.booleans(),
       negation=st.sampled_from(["", "not ", "it isn't ", "never "]))
def test_a_number_is_correct_only_when_stated_plainly(n, magnitude, spaced, negation):
    task = make_task({"t": [str(n)]}, f"{n:,}", question="How many?")
    preset = DefaultPreset()
    assert preset.answer_correct(f"Final answer: {n}", task) and preset.answer_correct(f"It is {n:,}.", task)
    space = " " if spaced and magnitude.strip() not in ("m", "e3", "e+2") else ""  # "918 m" may be metres
    scaled = f"{negation}{n}{space}{magnitude.strip()}"
    assert not preset.answer_correct(f"Final answer: {scaled}", task)
    assert not preset.answer_correct(f"Final answer: {negation or 'maybe '}{n}", task)
