from tests.unit.generation.domain_checks import check_domain


def test_wine():
    check_domain("wine")
