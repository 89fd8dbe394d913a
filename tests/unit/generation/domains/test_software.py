from tests.unit.generation.domain_checks import check_domain


def test_software():
    check_domain("software")
