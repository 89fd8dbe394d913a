import pytest

from toolgym.reward.matching import canonical_number, ftrl_match, strict_match, tokens


@pytest.mark.parametrize("expected, output, result", [
    ("12", "112", True),                          # the reference's loophole, kept on purpose
    ("12", "Error: 12.5 is out of range", True),
    ("2,048", "2048", True),
    ("Paris, 2,048", "PARIS costs 2048", True),   # every ", " part must be there
    ("Paris, 2,048", "Paris costs 2049", False),
    ("New York", "newyork", False),
    ("a, ", "xyz", False),
    ("", "anything", True),                       # an empty part is a substring of everything
])
def test_ftrl_match_is_the_reference(expected, output, result):
    assert ftrl_match(expected, output) is result


@pytest.mark.parametrize("output", ["112", "12.5", "120", "a12", "-12", "2025-12-04", "1.12.3", "v12x"])
def test_strict_match_is_token_bounded(output):
    assert not strict_match("12", f"value: {output}.")


@pytest.mark.parametrize("expected, output", [
    ("2,048", "2048"), ("2,048", "2048.0"), ("2,048", "2,048.00"), ("2048", "$2,048!"),
    ("12.5", "12.50"), ("0.5", ".5"), ("12", "(12)"), ("12", "12%"), ("12", "12 kg"), ("12", "12kg"),
    ("New York", "Flights to NEW-YORK, today"), ("new york", "New York's"),
    ("2025-03-04", "on 2025-03-04."), ("-3", "delta: -3"), ("-3", '{"delta":-3}'),
    ("Paris, 2,048", "paris: 2048.00 EUR"), ("ZX-101", "flight zx 101"),
    # a unit spelled out states the generator's abbreviation
    ("4,307 m", "a runway of 4,307 meters"), ("4,307 m", "4307 metres"), ("85 min", "85 minutes"),
    ("12 km", "12 kilometres"), ("640 sq m", "640 square meters"), ("3 hours", "3 hrs"), ("250 g", "250 grams"),
])
def test_strict_match_accepts_formatting(expected, output):
    assert strict_match(expected, output)


@pytest.mark.parametrize("expected, output", [
    ("New York", "York, New"), ("New York", "New Jersey York"), ("3", "2025-03-04"), ("-3", "2025-03-04"),
    ("2025-03-04", "2025-03-05"), ("3", "-3"), ("-3", "3"), ("Paris, 2,048", "Paris costs 2049"),
    ("1.2", "version 1.2.3"),
    ("4,307 m", "4,307 km"), ("85 min", "85 seconds"), ("640 sq m", "640 m"), ("12 km", "12 meters"),
])
def test_strict_match_rejects(expected, output):
    assert not strict_match(expected, output)


def test_commas_group_thousands_only():
    # "12,5" is read as the compact list 12, 5 (JSON without spaces), not as a European decimal
    assert tokens("12,5 and 1,2345") == ("12", "5", "and", "1", "2345")
    assert tokens("1,234,567.50") == ("1234567.5",)


def test_dates_are_not_negative_numbers():
    assert tokens("2025-03-04") == ("2025-03-04",)
    assert "-3" not in tokens("on 2025-03-04 at 10:30")


def test_tokens_casefold_and_split_units():
    assert tokens("Straße 12th A12 x_1") == ("strasse", "12", "th", "a12", "x_1")


@pytest.mark.parametrize("text, number", [("2,048.00", "2048"), ("-0.0", "0"), ("0012.340", "12.34"),
                                          ("\u22125", "-5"), ("1,000,000", "1000000")])
def test_canonical_number(text, number):
    assert canonical_number(text) == number


def test_expected_without_tokens_falls_back_to_substring():
    assert strict_match("?!", "what?! really")
    assert not strict_match("?!", "what? really")
