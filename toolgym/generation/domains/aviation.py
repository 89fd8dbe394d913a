"""Aviation: flights operated with aircraft, aircraft owned by airlines."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import date_param, enum_param

DOMAIN = Domain(
    name="aviation",
    kinds=(
        EntityKind("flight", "Flight {}", (
            Attribute("seats_sold", "number of seats sold", 40, 480),
            Attribute("fare", "average fare in USD", 45, 1900),
            Attribute("duration", "scheduled duration", 35, 840, unit="min"),
            Category("meal", "meal service", ("snack box", "hot meal", "buy on board", "tasting menu")),
            DateAttribute("inaugurated", "date of the first departure", 1995, 2024),
        ), Link("aircraft", "the aircraft that operates {}")),
        EntityKind("aircraft", "{} Jet", (
            Attribute("seats", "number of seats", 50, 520),
            Attribute("flight_hours", "total flight hours", 1200, 90_000),
            Attribute("wingspan", "wingspan", 18, 80, unit="m"),
            Category("livery", "livery colour", ("cobalt", "sunset orange", "silver", "forest green", "plum")),
            DateAttribute("delivered", "delivery date", 1990, 2024),
        ), Link("airline", "the airline that owns {}")),
        EntityKind("airline", "{} Air", (
            Attribute("fleet", "fleet size", 12, 900),
            Attribute("destinations", "number of destinations", 15, 350),
            Attribute("hub_distance", "distance from its hub to the capital", 12, 900, unit="km"),
            Category("alliance", "alliance", ("skyward", "oneglobe", "starling", "unaligned")),
            DateAttribute("founded", "founding date", 1920, 2015),
        )),
    ),
    extra_params=(
        enum_param("cabin", "Cabin class.", ("economy", "premium", "business", "first")),
        date_param("departure_date", "Date of departure (YYYY-MM-DD).", "2025-07-14"),
    ),
)
