"""Fashion: garments sold in boutiques, boutiques belonging to fashion houses."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, string_param

DOMAIN = Domain(
    name="fashion",
    kinds=(
        EntityKind("garment", "{} Coat", (
            Attribute("price", "retail price in USD", 45, 9000),
            Attribute("stitches", "stitch count in thousands", 12, 400),
            Attribute("weight", "weight", 150, 2900, unit="g"),
            Category("fabric", "fabric", ("tweed", "linen", "cashmere", "corduroy", "seersucker", "velvet")),
            DateAttribute("designed", "design date", 1990, 2024),
        ), Link("boutique", "the boutique that sells {}")),
        EntityKind("boutique", "Maison {}", (
            Attribute("fitting_rooms", "number of fitting rooms", 12, 40),
            Attribute("clients", "number of regular clients", 40, 9000),
            Attribute("window_width", "shop window width", 12, 40, unit="m"),
            Category("interior", "interior theme", ("mirrored", "industrial", "botanical", "velvet lounge")),
            DateAttribute("opened", "opening date", 1950, 2023),
        ), Link("fashion_house", "the fashion house that owns {}")),
        EntityKind("fashion_house", "House of {}", (
            Attribute("collections", "number of collections", 12, 300),
            Attribute("ateliers", "number of ateliers", 12, 40),
            Attribute("archive", "archive size", 150, 9000, unit="garments"),
            Category("signature", "signature motif", ("houndstooth", "paisley", "pinstripe", "herringbone",
                                                      "polka dot")),
            DateAttribute("founded", "founding date", 1850, 2015),
        )),
    ),
    extra_params=(
        enum_param("size", "Size range.", ("petite", "regular", "tall")),
        string_param("season_code", "Season code of the collection.", "AW25"),
    ),
)
