"""Entertainment: films by directors, directors working with studios."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="entertainment",
    kinds=(
        EntityKind("film", "The {}", (
            Attribute("box_office", "box office in thousand USD", 150, 900_000),
            Attribute("cast_size", "number of credited cast members", 12, 240),
            Attribute("runtime", "runtime", 78, 210, unit="min"),
            Category("genre", "genre", ("noir", "western", "musical", "heist", "satire", "space opera")),
            DateAttribute("premiere", "premiere date", 1950, 2024),
        ), Link("director", "the director of {}")),
        EntityKind("director", "{}", (
            Attribute("films", "number of films directed", 12, 90),
            Attribute("awards", "number of awards won", 12, 75),
            Attribute("longest_take", "longest single take", 45, 900, unit="seconds"),
            Category("film_stock", "favourite film stock", ("super eight", "sixteen millimetre", "large format",
                                                            "anamorphic")),
            DateAttribute("first_film", "release date of the first film", 1950, 2015),
        ), Link("studio", "the studio that {} works with")),
        EntityKind("studio", "{} Pictures", (
            Attribute("employees", "number of employees", 150, 9000),
            Attribute("releases", "number of released films", 40, 900),
            Attribute("backlot", "backlot area", 12, 300, unit="acres"),
            Category("mascot", "mascot", ("lion", "heron", "lynx", "tortoise", "owl", "stag")),
            DateAttribute("founded", "founding date", 1900, 2015),
        )),
    ),
    extra_params=(
        enum_param("region", "Market region.", ("worldwide", "domestic", "international")),
        boolean_param("include_streaming", "Whether streaming figures count.", False),
    ),
)
