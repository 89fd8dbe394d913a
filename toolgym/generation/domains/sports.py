"""Sports: players in teams, teams at home stadiums."""

from toolgym.generation.domains.base import Attribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="sports",
    kinds=(
        EntityKind("player", "{}", (
            Attribute("goals", "number of career goals", 12, 900),
            Attribute("appearances", "number of appearances", 20, 800),
            Attribute("salary", "yearly salary in thousand USD", 150, 9000),
        ), Link("team", "the team {} plays for")),
        EntityKind("team", "{} United", (
            Attribute("trophies", "number of trophies", 12, 120),
            Attribute("budget", "squad budget in million USD", 15, 900),
            Attribute("founded", "founding year", 1860, 1990),
        ), Link("stadium", "the home stadium of {}")),
        EntityKind("stadium", "{} Arena", (
            Attribute("capacity", "seating capacity", 5000, 95_000),
            Attribute("opened", "opening year", 1890, 2020),
            Attribute("pitch_length", "pitch length in centimetres", 9000, 10_500),
        )),
    ),
    extra_params=(
        enum_param("competition", "Competition the figures refer to.", ("league", "cup", "all")),
        integer_param("season", "Season (its first calendar year).", 2000, 2025, 2024),
    ),
)
