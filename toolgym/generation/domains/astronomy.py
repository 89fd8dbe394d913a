"""Astronomy: moons orbiting planets, planets in star systems."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="astronomy",
    kinds=(
        EntityKind("moon", "{} Minor", (
            Attribute("craters", "number of named craters", 12, 900),
            Attribute("albedo", "albedo in thousandths", 40, 950),
            Attribute("radius", "mean radius", 120, 2900, unit="km"),
            Category("surface_ice", "dominant surface ice", ("water ice", "nitrogen frost", "methane slush",
                                                             "dry ice")),
            DateAttribute("discovered", "discovery date", 1650, 2024),
        ), Link("planet", "the planet that {} orbits")),
        EntityKind("planet", "{}", (
            Attribute("moons", "number of known moons", 12, 95),
            Attribute("day_length", "day length in minutes", 300, 9000),
            Attribute("orbit_radius", "orbital radius", 12, 950, unit="million km"),
            Category("planet_type", "planet type", ("gas giant", "ice giant", "rocky", "ocean world", "dwarf")),
            DateAttribute("mapped", "date its first map was published", 1800, 2024),
        ), Link("star_system", "the star system that contains {}")),
        EntityKind("star_system", "{} System", (
            Attribute("planets", "number of planets", 12, 40),
            Attribute("distance", "distance in light years", 15, 9000),
            Attribute("star_mass", "mass of its star", 12, 95, unit="tenths of a solar mass"),
            Category("spectral_class", "spectral class of its star", ("red dwarf", "yellow dwarf", "blue giant",
                                                                      "white dwarf")),
            DateAttribute("catalogued", "cataloguing date", 1700, 2020),
        )),
    ),
    extra_params=(
        enum_param("observatory", "Observatory whose data to use.", ("ground", "orbital", "combined")),
        boolean_param("include_candidates", "Whether unconfirmed bodies count.", False),
    ),
)
