from tests.unit.generation.domain_checks import check_domain


def test_mountaineering():
    check_domain("mountaineering")
