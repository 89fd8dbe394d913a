"""Theatre: plays staged at theatres, theatres home to companies."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, date_param

DOMAIN = Domain(
    name="theatre",
    kinds=(
        EntityKind("play", "{}'s Lament", (
            Attribute("performances", "number of performances", 12, 900),
            Attribute("tickets_sold", "number of tickets sold", 1500, 900_000),
            Attribute("running_time", "running time", 70, 240, unit="min"),
            Category("play_genre", "genre", ("tragedy", "farce", "melodrama", "absurdist", "historical")),
            DateAttribute("premiere", "premiere date", 1700, 2024),
        ), Link("theatre", "the theatre that stages {}")),
        EntityKind("theatre", "The {} Playhouse", (
            Attribute("seats", "number of seats", 80, 3000),
            Attribute("productions", "number of productions a year", 12, 40),
            Attribute("stage_depth", "stage depth", 6, 30, unit="m"),
            Category("stage_type", "stage type", ("proscenium", "thrust", "in the round", "black box")),
            DateAttribute("opened", "opening date", 1750, 2020),
        ), Link("company", "the resident company of {}")),
        EntityKind("company", "{} Players", (
            Attribute("actors", "number of actors", 12, 120),
            Attribute("tours", "number of tours", 12, 90),
            Attribute("rehearsal_room", "rehearsal room area", 40, 600, unit="sq m"),
            Category("tradition", "tradition", ("repertory", "ensemble", "commedia", "physical theatre")),
            DateAttribute("founded", "founding date", 1800, 2015),
        )),
    ),
    extra_params=(
        boolean_param("matinee", "Whether matinee performances count.", False),
        date_param("performance_date", "Performance date (YYYY-MM-DD).", "2025-04-12"),
    ),
)
