from tests.unit.generation.domain_checks import check_domain


def test_railways():
    check_domain("railways")
