import dataclasses

import pytest

from toolgym.errors import UnknownNameError
from toolgym.generation.domains import DOMAIN_MODULES, domain_names, domain_problems, get_domain
from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Link

REQUIRED = {"travel", "finance", "weather", "shopping", "health", "education", "sports", "entertainment", "food",
            "real_estate"}


def test_the_required_domains_are_registered():
    assert REQUIRED <= set(domain_names()) and len(domain_names()) == len(DOMAIN_MODULES)


def test_unknown_domain_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match="travel"):
        get_domain("atlantis")


def test_domain_problems_catch_clashes():
    travel = get_domain("travel")
    hotel, city, airport = travel.kinds
    assert domain_problems(travel) == []
    clash = dataclasses.replace(travel, kinds=(dataclasses.replace(hotel, noun="language"), city, airport))
    assert any("clashes" in p for p in domain_problems(clash))
    unchained = dataclasses.replace(travel, kinds=(hotel, city, dataclasses.replace(airport, link=Link("x", "{}"))))
    assert any("chain" in p for p in domain_problems(unchained))
    wrapper = dataclasses.replace(travel, question_wrappers=("What?",))
    assert any("wrapper" in p for p in domain_problems(wrapper))


def test_attribute_problems_are_named():
    travel = get_domain("travel")
    hotel, city, airport = travel.kinds
    bad = dataclasses.replace(hotel, attributes=(
        Category("style", "style", ("only",)), Category("mood", "mood", ("a, b", "c")),
        DateAttribute("built", "date", 2020, 2010)))
    problems = domain_problems(dataclasses.replace(travel, kinds=(bad, city, airport)))
    assert any("needs a numeric attribute" in p for p in problems)
    assert any("hotel.style" in p and "2+ distinct" in p for p in problems)
    assert any("hotel.mood" in p for p in problems)
    assert any("hotel.built: empty range of years" in p for p in problems)


def test_at_least_thirty_domains_each_with_every_answer_type():
    assert len(domain_names()) >= 30
    for name in domain_names():
        for kind in get_domain(name).kinds:
            types = {type(a) for a in kind.attributes}
            assert {Attribute, Category, DateAttribute} <= types, (name, kind.noun)
            assert any(isinstance(a, Attribute) and a.unit for a in kind.attributes), (name, kind.noun)


@pytest.mark.parametrize("name", domain_names())
def test_every_domain_has_a_test_file(name):
    from pathlib import Path
    assert (Path(__file__).parent / "domains" / f"test_{name}.py").exists()
