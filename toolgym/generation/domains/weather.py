"""Weather: stations reporting for cities, cities in countries."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import date_param, integer_param

DOMAIN = Domain(
    name="weather",
    kinds=(
        EntityKind("station", "{} Station", (
            Attribute("sensors", "number of sensors", 12, 96),
            Attribute("rainfall", "annual rainfall in millimetres", 120, 3400),
            Attribute("altitude", "altitude", 15, 3200, unit="m"),
            Category("shelter", "instrument shelter type", ("stevenson screen", "aspirated mast", "rooftop cage",
                                                            "buoy housing")),
            DateAttribute("calibrated", "date of the last calibration", 2018, 2024),
        ), Link("city", "the city that {} reports for")),
        EntityKind("city", "{}", (
            Attribute("sunny_days", "number of sunny days per year", 45, 330),
            Attribute("snowfall", "average yearly snowfall in millimetres", 120, 2600),
            Attribute("record_high", "record high temperature", 85, 125, unit="°F"),
            Category("wind", "prevailing wind", ("northerly", "southerly", "easterly", "westerly", "variable")),
            DateAttribute("first_frost", "date of last year's first frost", 2023, 2023),
        ), Link("country", "the country that {} belongs to")),
        EntityKind("country", "Republic of {}", (
            Attribute("stations", "number of weather stations", 40, 900),
            Attribute("storms", "number of named storms last decade", 12, 140),
            Attribute("coastline", "coastline length", 120, 9000, unit="km"),
            Category("season_name", "name of the rainy season", ("the long rains", "the greywater", "the drench",
                                                                 "the low clouds", "the mistfall")),
            DateAttribute("service_founded", "founding date of the national weather service", 1850, 1975),
        )),
    ),
    extra_params=(
        integer_param("forecast_days", "Days of forecast to include.", 1, 14, 3),
        date_param("date", "Day of the observation (YYYY-MM-DD).", "2025-03-10"),
    ),
)
