from tests.unit.generation.domain_checks import check_domain


def test_art():
    check_domain("art")
