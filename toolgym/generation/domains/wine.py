"""Wine: wines made at vineyards, vineyards in appellations."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="wine",
    kinds=(
        EntityKind("wine", "Château {}", (
            Attribute("bottles", "number of bottles made", 1500, 400_000),
            Attribute("score", "critics' score out of a thousand", 600, 990),
            Attribute("alcohol", "alcohol content", 11, 16, unit="%"),
            Category("grape", "grape", ("nebbiolo", "riesling", "tempranillo", "gamay", "grenache", "chenin")),
            DateAttribute("bottled", "bottling date", 1990, 2024),
        ), Link("vineyard", "the vineyard that makes {}")),
        EntityKind("vineyard", "Domaine {}", (
            Attribute("rows", "number of vine rows", 40, 4000),
            Attribute("harvesters", "number of harvesters", 12, 300),
            Attribute("vineyard_area", "area under vine", 12, 400, unit="hectares"),
            Category("aspect", "slope aspect", ("south facing", "east facing", "west facing", "terraced")),
            DateAttribute("planted", "planting date", 1800, 2015),
        ), Link("appellation", "the appellation of {}")),
        EntityKind("appellation", "{} Appellation", (
            Attribute("producers", "number of producers", 12, 900),
            Attribute("sunshine", "hours of sunshine per year", 1500, 3000),
            Attribute("max_yield", "maximum yield", 35, 90, unit="hl/ha"),
            Category("climate", "climate", ("maritime", "continental", "mediterranean", "alpine")),
            DateAttribute("recognized", "recognition date", 1900, 2020),
        )),
    ),
    extra_params=(
        enum_param("wine_colour", "Wine colour.", ("red", "white", "rosé", "sparkling")),
        integer_param("vintage", "Vintage year.", 1980, 2025, 2020),
    ),
)
