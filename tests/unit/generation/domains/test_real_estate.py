from tests.unit.generation.domain_checks import check_domain


def test_real_estate():
    check_domain("real_estate")
