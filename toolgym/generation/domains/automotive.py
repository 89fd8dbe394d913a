"""Automotive: car models built by manufacturers, manufacturers owned by groups."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="automotive",
    kinds=(
        EntityKind("car_model", "{} GT", (
            Attribute("horsepower", "horsepower", 70, 900),
            Attribute("units_sold", "number of units sold", 1500, 900_000),
            Attribute("wheelbase", "wheelbase", 2200, 3400, unit="mm"),
            Category("body", "body style", ("hatchback", "estate", "coupe", "roadster", "pickup")),
            DateAttribute("launched", "launch date", 1960, 2024),
        ), Link("manufacturer", "the manufacturer of {}")),
        EntityKind("manufacturer", "{} Motors", (
            Attribute("plants", "number of plants", 12, 60),
            Attribute("engineers", "number of engineers", 150, 40_000),
            Attribute("test_track", "test track length", 12, 95, unit="km"),
            Category("badge", "badge emblem", ("griffin", "arrowhead", "stallion", "comet", "anchor")),
            DateAttribute("founded", "founding date", 1890, 2010),
        ), Link("parent_group", "the group that owns {}")),
        EntityKind("parent_group", "{} Group", (
            Attribute("brands", "number of brands", 12, 40),
            Attribute("dealers", "number of dealerships", 150, 9000),
            Attribute("revenue", "yearly revenue", 15, 900, unit="billion USD"),
            Category("listing", "listing status", ("family owned", "state owned", "publicly traded",
                                                   "employee owned")),
            DateAttribute("formed", "formation date", 1920, 2020),
        )),
    ),
    extra_params=(
        enum_param("market", "Sales market.", ("domestic", "export", "global")),
        integer_param("model_year", "Model year.", 1990, 2026, 2025),
    ),
)
