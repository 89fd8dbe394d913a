from tests.unit.generation.domain_checks import check_domain


def test_travel():
    check_domain("travel")
