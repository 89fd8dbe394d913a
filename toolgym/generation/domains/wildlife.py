"""Wildlife: species living in nature reserves, reserves managed by conservation agencies."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="wildlife",
    kinds=(
        EntityKind("species", "{} Warbler", (
            Attribute("population", "estimated population", 150, 900_000),
            Attribute("sightings", "number of sightings last year", 12, 9000),
            Attribute("wingspan", "wingspan", 12, 95, unit="cm"),
            Category("diet", "diet", ("insects", "seeds", "nectar", "fish", "berries")),
            DateAttribute("described", "date of its first description", 1750, 2020),
        ), Link("reserve", "the nature reserve where {} lives")),
        EntityKind("reserve", "{} Reserve", (
            Attribute("rangers", "number of rangers", 12, 300),
            Attribute("visitors", "number of yearly visitors", 1500, 900_000),
            Attribute("area", "area", 12, 9000, unit="square km"),
            Category("biome", "biome", ("wetland", "tundra", "cloud forest", "savanna", "mangrove", "steppe")),
            DateAttribute("protected", "date it was protected", 1870, 2020),
        ), Link("agency", "the agency that manages {}")),
        EntityKind("agency", "{} Conservation Trust", (
            Attribute("reserves", "number of reserves managed", 12, 90),
            Attribute("volunteers", "number of volunteers", 150, 40_000),
            Attribute("budget", "annual budget", 12, 900, unit="million USD"),
            Category("emblem", "emblem", ("heron", "oak leaf", "otter", "lynx", "fern")),
            DateAttribute("founded", "founding date", 1890, 2015),
        )),
    ),
    extra_params=(
        enum_param("survey_method", "Survey method.", ("transect", "camera trap", "acoustic")),
        integer_param("survey_year", "Survey year.", 2000, 2025, 2024),
    ),
)
