from tests.unit.generation.domain_checks import check_domain


def test_agriculture():
    check_domain("agriculture")
