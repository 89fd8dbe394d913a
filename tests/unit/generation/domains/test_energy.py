from tests.unit.generation.domain_checks import check_domain


def test_energy():
    check_domain("energy")
