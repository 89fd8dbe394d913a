from tests.unit.generation.domain_checks import check_domain


def test_news():
    check_domain("news")
