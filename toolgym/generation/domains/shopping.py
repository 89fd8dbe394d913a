"""Shopping: products sold by stores, stores inside malls."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="shopping",
    kinds=(
        EntityKind("product", "{} Blender", (
            Attribute("price", "price in cents", 150, 99_000),
            Attribute("reviews", "number of customer reviews", 15, 8000),
            Attribute("weight", "shipping weight", 12, 95, unit="hg"),
            Category("colour", "colour", ("teal", "crimson", "ivory", "charcoal", "mustard", "lilac")),
            DateAttribute("released", "release date", 2015, 2024),
        ), Link("store", "the store with the lowest price for {}")),
        EntityKind("store", "{} Outlet", (
            Attribute("employees", "number of employees", 12, 400),
            Attribute("visitors", "number of weekly visitors", 150, 40_000),
            Attribute("floor_area", "floor area", 120, 9000, unit="sq m"),
            Category("loyalty", "loyalty scheme", ("points card", "cashback club", "members lounge", "stamp card")),
            DateAttribute("opened", "opening date", 1990, 2023),
        ), Link("mall", "the shopping mall where {} is located")),
        EntityKind("mall", "{} Mall", (
            Attribute("stores", "number of stores", 25, 400),
            Attribute("parking", "number of parking spaces", 150, 9000),
            Attribute("walkway", "length of the main walkway", 120, 900, unit="m"),
            Category("layout", "floor plan layout", ("dumbbell", "racetrack", "cluster", "linear strip")),
            DateAttribute("opened", "opening date", 1950, 2020),
        )),
    ),
    extra_params=(
        boolean_param("in_stock_only", "Only consider items in stock.", False),
        enum_param("sort_by", "Ordering of offers.", ("relevance", "price", "rating")),
    ),
)
