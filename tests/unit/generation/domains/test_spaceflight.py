from tests.unit.generation.domain_checks import check_domain


def test_spaceflight():
    check_domain("spaceflight")
