from tests.unit.generation.domain_checks import check_domain


def test_health():
    check_domain("health")
