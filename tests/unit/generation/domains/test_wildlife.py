from tests.unit.generation.domain_checks import check_domain


def test_wildlife():
    check_domain("wildlife")
