import dataclasses

import pytest

from toolgym.errors import UnknownNameError
from toolgym.generation.domains import DOMAIN_MODULES, domain_names, domain_problems, get_domain
from toolgym.generation.domains.base import Link

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


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_domain_has_a_test_file(name):
    from pathlib import Path
    assert (Path(__file__).parent / "domains" / f"test_{name}.py").exists()
