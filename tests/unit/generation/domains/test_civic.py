from tests.unit.generation.domain_checks import check_domain


def test_civic():
    check_domain("civic")
