"""Agriculture: farms in cooperatives, cooperatives in growing regions."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="agriculture",
    kinds=(
        EntityKind("farm", "{} Farm", (
            Attribute("cattle", "number of cattle", 12, 900),
            Attribute("yield", "grain yield in tonnes", 40, 9000),
            Attribute("acreage", "farmed area", 12, 900, unit="hectares"),
            Category("crop", "main crop", ("barley", "sorghum", "lentils", "buckwheat", "hops", "flax")),
            DateAttribute("founded", "founding date", 1850, 2015),
        ), Link("cooperative", "the cooperative that {} belongs to")),
        EntityKind("cooperative", "{} Growers", (
            Attribute("members", "number of member farms", 12, 400),
            Attribute("silos", "number of silos", 12, 90),
            Attribute("storage", "storage capacity", 1500, 90_000, unit="tonnes"),
            Category("certification", "certification", ("organic", "fair trade", "regenerative", "conventional")),
            DateAttribute("registered", "registration date", 1900, 2020),
        ), Link("growing_region", "the growing region of {}")),
        EntityKind("growing_region", "{} Valley", (
            Attribute("farms", "number of farms", 150, 9000),
            Attribute("rain_days", "number of rainy days a year", 40, 200),
            Attribute("growing_season", "growing season", 90, 300, unit="days"),
            Category("soil", "dominant soil", ("loam", "clay", "silt", "peat", "chalk", "volcanic ash")),
            DateAttribute("surveyed", "date of the last soil survey", 1990, 2024),
        )),
    ),
    extra_params=(
        enum_param("season", "Season of the figures.", ("spring", "summer", "autumn", "winter")),
        integer_param("harvest_year", "Harvest year.", 2000, 2025, 2024),
    ),
)
