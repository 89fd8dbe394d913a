"""Real estate: apartments in buildings, buildings in districts."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="real_estate",
    kinds=(
        EntityKind("apartment", "Apartment {}", (
            Attribute("asking_price", "asking price in USD", 95_000, 2_900_000),
            Attribute("rent", "monthly rent in USD", 650, 9800),
            Attribute("floor_area", "floor area", 350, 4800, unit="sq ft"),
            Category("heating", "heating system", ("heat pump", "district heating", "gas boiler", "wood stove",
                                                   "radiant floor")),
            DateAttribute("listed", "listing date", 2022, 2024),
        ), Link("building", "the building that contains {}")),
        EntityKind("building", "{} Tower", (
            Attribute("floors", "number of floors", 12, 95),
            Attribute("units", "number of units", 40, 900),
            Attribute("height", "height", 40, 380, unit="m"),
            Category("facade", "facade material", ("brick", "glass curtain", "limestone", "timber", "terracotta")),
            DateAttribute("completed", "completion date", 1890, 2023),
        ), Link("district", "the district where {} stands")),
        EntityKind("district", "{} District", (
            Attribute("population", "population", 8000, 900_000),
            Attribute("price_per_sqm", "average price per square metre in USD", 1500, 19_000),
            Attribute("green_space", "green space", 12, 900, unit="hectares"),
            Category("zoning", "zoning class", ("residential", "mixed use", "heritage", "industrial")),
            DateAttribute("incorporated", "incorporation date", 1800, 1980),
        )),
    ),
    extra_params=(
        integer_param("bedrooms", "Minimum number of bedrooms.", 1, 6, 1),
        enum_param("listing_type", "Kind of listing.", ("sale", "rent")),
    ),
)
