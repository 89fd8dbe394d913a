"""Gaming: video games developed by studios, studios owned by publishers."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="gaming",
    kinds=(
        EntityKind("video_game", "{} Quest", (
            Attribute("players", "number of monthly players", 1500, 9_000_000),
            Attribute("levels", "number of levels", 12, 300),
            Attribute("install_size", "install size", 12, 240, unit="GB"),
            Category("game_genre", "genre", ("roguelike", "platformer", "city builder", "rhythm", "metroidvania")),
            DateAttribute("released", "release date", 1985, 2024),
        ), Link("game_studio", "the studio that developed {}")),
        EntityKind("game_studio", "{} Interactive", (
            Attribute("developers", "number of developers", 12, 900),
            Attribute("shipped_titles", "number of shipped titles", 12, 90),
            Attribute("office_space", "office space", 150, 9000, unit="sq m"),
            Category("engine", "in-house engine", ("lumen forge", "quarkline", "driftwood", "none")),
            DateAttribute("founded", "founding date", 1975, 2020),
        ), Link("game_publisher", "the publisher that owns {}")),
        EntityKind("game_publisher", "{} Games", (
            Attribute("studios", "number of studios", 12, 60),
            Attribute("franchises", "number of franchises", 12, 120),
            Attribute("revenue", "yearly revenue", 15, 9000, unit="million USD"),
            Category("storefront", "own storefront", ("vaultline", "arcadia", "pixelmart", "none yet")),
            DateAttribute("founded", "founding date", 1970, 2015),
        )),
    ),
    extra_params=(
        enum_param("platform", "Gaming platform.", ("pc", "console", "mobile")),
        boolean_param("include_dlc", "Whether downloadable content counts.", False),
    ),
)
