"""Weather: stations reporting for cities, cities in countries."""

from toolgym.generation.domains.base import Attribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import date_param, integer_param

DOMAIN = Domain(
    name="weather",
    kinds=(
        EntityKind("station", "{} Station", (
            Attribute("altitude", "altitude in metres", 15, 3200),
            Attribute("sensors", "number of sensors", 12, 96),
            Attribute("rainfall", "annual rainfall in millimetres", 120, 3400),
        ), Link("city", "the city that {} reports for")),
        EntityKind("city", "{}", (
            Attribute("record_high", "record high temperature in degrees Fahrenheit", 85, 125),
            Attribute("sunny_days", "number of sunny days per year", 45, 330),
            Attribute("snowfall", "average yearly snowfall in millimetres", 120, 2600),
        ), Link("country", "the country that {} belongs to")),
        EntityKind("country", "Republic of {}", (
            Attribute("stations", "number of weather stations", 40, 900),
            Attribute("coastline", "coastline length in kilometres", 120, 9000),
            Attribute("storms", "number of named storms last decade", 12, 140),
        )),
    ),
    extra_params=(
        integer_param("forecast_days", "Days of forecast to include.", 1, 14, 3),
        date_param("date", "Day of the observation (YYYY-MM-DD).", "2025-03-10"),
    ),
)
