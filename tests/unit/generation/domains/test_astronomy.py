from tests.unit.generation.domain_checks import check_domain


def test_astronomy():
    check_domain("astronomy")
