from tests.unit.generation.domain_checks import check_domain


def test_coffee():
    check_domain("coffee")
