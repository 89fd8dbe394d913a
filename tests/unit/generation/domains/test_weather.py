from tests.unit.generation.domain_checks import check_domain


def test_weather():
    check_domain("weather")
