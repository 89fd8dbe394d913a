from tests.unit.generation.domain_checks import check_domain


def test_gaming():
    check_domain("gaming")
