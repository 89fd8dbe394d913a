from tests.unit.generation.domain_checks import check_domain


def test_finance():
    check_domain("finance")
