from tests.unit.generation.domain_checks import check_domain


def test_education():
    check_domain("education")
