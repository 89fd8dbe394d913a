from tests.unit.generation.domain_checks import check_domain


def test_maritime():
    check_domain("maritime")
