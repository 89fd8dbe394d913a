from tests.unit.generation.domain_checks import check_domain


def test_food():
    check_domain("food")
