"""Sports: players in teams, teams at home stadiums."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="sports",
    kinds=(
        EntityKind("player", "{}", (
            Attribute("goals", "number of career goals", 12, 900),
            Attribute("appearances", "number of appearances", 20, 800),
            Attribute("height", "height", 160, 205, unit="cm"),
            Category("position", "playing position", ("goalkeeper", "defender", "midfielder", "winger", "striker")),
            DateAttribute("debut", "debut date", 2000, 2024),
        ), Link("team", "the team {} plays for")),
        EntityKind("team", "{} United", (
            Attribute("trophies", "number of trophies", 12, 120),
            Attribute("budget", "squad budget in million USD", 15, 900),
            Attribute("training_ground", "training ground area", 12, 95, unit="hectares"),
            Category("kit_colour", "home kit colour", ("claret", "navy", "amber", "emerald", "maroon", "sky blue")),
            DateAttribute("founded", "founding date", 1860, 1990),
        ), Link("stadium", "the home stadium of {}")),
        EntityKind("stadium", "{} Arena", (
            Attribute("capacity", "seating capacity", 5000, 95_000),
            Attribute("pitch_length", "pitch length in centimetres", 9000, 10_500),
            Attribute("roof_height", "roof height", 18, 75, unit="m"),
            Category("surface", "playing surface", ("natural grass", "hybrid turf", "artificial turf")),
            DateAttribute("opened", "opening date", 1890, 2020),
        )),
    ),
    extra_params=(
        enum_param("competition", "Competition the figures refer to.", ("league", "cup", "all")),
        integer_param("season", "Season (its first calendar year).", 2000, 2025, 2024),
    ),
)
