"""Real estate: apartments in buildings, buildings in districts."""

from toolgym.generation.domains.base import Attribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="real_estate",
    kinds=(
        EntityKind("apartment", "Apartment {}", (
            Attribute("asking_price", "asking price in USD", 95_000, 2_900_000),
            Attribute("floor_area", "floor area in square feet", 350, 4800),
            Attribute("rent", "monthly rent in USD", 650, 9800),
        ), Link("building", "the building that contains {}")),
        EntityKind("building", "{} Tower", (
            Attribute("floors", "number of floors", 12, 95),
            Attribute("units", "number of units", 40, 900),
            Attribute("built", "construction year", 1890, 2023),
        ), Link("district", "the district where {} stands")),
        EntityKind("district", "{} District", (
            Attribute("population", "population", 8000, 900_000),
            Attribute("price_per_sqm", "average price per square metre in USD", 1500, 19_000),
            Attribute("parks", "number of parks", 12, 140),
        )),
    ),
    extra_params=(
        integer_param("bedrooms", "Minimum number of bedrooms.", 1, 6, 1),
        enum_param("listing_type", "Kind of listing.", ("sale", "rent")),
    ),
)
