from tests.unit.generation.domain_checks import check_domain


def test_automotive():
    check_domain("automotive")
