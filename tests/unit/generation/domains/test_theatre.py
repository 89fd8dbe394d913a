from tests.unit.generation.domain_checks import check_domain


def test_theatre():
    check_domain("theatre")
