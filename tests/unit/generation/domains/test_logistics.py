from tests.unit.generation.domain_checks import check_domain


def test_logistics():
    check_domain("logistics")
