from tests.unit.generation.domain_checks import check_domain


def test_aviation():
    check_domain("aviation")
