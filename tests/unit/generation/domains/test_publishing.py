from tests.unit.generation.domain_checks import check_domain


def test_publishing():
    check_domain("publishing")
