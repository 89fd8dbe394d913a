from tests.unit.generation.domain_checks import check_domain


def test_fashion():
    check_domain("fashion")
