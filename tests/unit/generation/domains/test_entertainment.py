from tests.unit.generation.domain_checks import check_domain


def test_entertainment():
    check_domain("entertainment")
