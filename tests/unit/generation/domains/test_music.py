from tests.unit.generation.domain_checks import check_domain


def test_music():
    check_domain("music")
