"""Civic: towns in provinces, provinces in nations."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="civic",
    kinds=(
        EntityKind("town", "{}ford", (
            Attribute("residents", "number of residents", 1500, 400_000),
            Attribute("schools", "number of schools", 12, 140),
            Attribute("town_area", "area", 12, 900, unit="square km"),
            Category("council", "council type", ("mayor and council", "town meeting", "commission",
                                                 "city manager")),
            DateAttribute("incorporated", "incorporation date", 1650, 1990),
        ), Link("province", "the province that {} is in")),
        EntityKind("province", "{} Province", (
            Attribute("towns", "number of towns", 12, 400),
            Attribute("seats", "number of assembly seats", 12, 140),
            Attribute("border_length", "border length", 150, 4000, unit="km"),
            Category("provincial_flower", "official flower", ("heather", "poppy", "iris", "gorse", "bluebell")),
            DateAttribute("established", "establishment date", 1700, 1980),
        ), Link("nation", "the nation that {} belongs to")),
        EntityKind("nation", "Kingdom of {}", (
            Attribute("provinces", "number of provinces", 12, 40),
            Attribute("population", "population in thousands", 150, 90_000),
            Attribute("highway_network", "highway network", 1500, 90_000, unit="km"),
            Category("legislature", "legislature", ("unicameral", "bicameral", "tricameral")),
            DateAttribute("constitution", "date of the constitution", 1750, 2000),
        )),
    ),
    extra_params=(
        enum_param("census", "Census source.", ("national", "provincial")),
        integer_param("census_year", "Census year.", 1990, 2025, 2020),
    ),
)
