"""Shopping: products sold by stores, stores inside malls."""

from toolgym.generation.domains.base import Attribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="shopping",
    kinds=(
        EntityKind("product", "{} Blender", (
            Attribute("price", "price in cents", 150, 99_000),
            Attribute("stock", "number of units in stock", 12, 900),
            Attribute("reviews", "number of customer reviews", 15, 8000),
        ), Link("store", "the store with the lowest price for {}")),
        EntityKind("store", "{} Outlet", (
            Attribute("employees", "number of employees", 12, 400),
            Attribute("floor_area", "floor area in square metres", 120, 9000),
            Attribute("visitors", "number of weekly visitors", 150, 40_000),
        ), Link("mall", "the shopping mall where {} is located")),
        EntityKind("mall", "{} Mall", (
            Attribute("stores", "number of stores", 25, 400),
            Attribute("parking", "number of parking spaces", 150, 9000),
            Attribute("opened", "opening year", 1950, 2020),
        )),
    ),
    extra_params=(
        boolean_param("in_stock_only", "Only consider items in stock.", False),
        enum_param("sort_by", "Ordering of offers.", ("relevance", "price", "rating")),
    ),
)
