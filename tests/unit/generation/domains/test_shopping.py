from tests.unit.generation.domain_checks import check_domain


def test_shopping():
    check_domain("shopping")
