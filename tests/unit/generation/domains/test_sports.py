from tests.unit.generation.domain_checks import check_domain


def test_sports():
    check_domain("sports")
