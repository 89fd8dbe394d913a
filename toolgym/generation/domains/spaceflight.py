"""Spaceflight: missions flown by rockets, rockets launched from spaceports."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, date_param

DOMAIN = Domain(
    name="spaceflight",
    kinds=(
        EntityKind("mission", "{} Mission", (
            Attribute("crew", "crew size", 12, 14),
            Attribute("experiments", "number of experiments", 12, 400),
            Attribute("duration", "mission duration", 12, 900, unit="days"),
            Category("destination", "destination", ("low orbit", "lunar orbit", "asteroid belt", "deep space",
                                                    "sun-synchronous orbit")),
            DateAttribute("launch", "launch date", 1961, 2030),
        ), Link("rocket", "the rocket that flew {}")),
        EntityKind("rocket", "{} Heavy", (
            Attribute("launches", "number of launches", 12, 400),
            Attribute("payload", "payload to orbit in tonnes", 12, 140),
            Attribute("height", "height", 30, 120, unit="m"),
            Category("propellant", "propellant", ("kerosene", "methane", "hydrogen", "solid fuel")),
            DateAttribute("maiden_flight", "maiden flight date", 1957, 2025),
        ), Link("spaceport", "the spaceport that launches {}")),
        EntityKind("spaceport", "{} Launch Complex", (
            Attribute("pads", "number of launch pads", 12, 30),
            Attribute("staff", "number of staff", 150, 20_000),
            Attribute("latitude_offset", "distance from the equator", 12, 4000, unit="km"),
            Category("terrain", "terrain", ("desert", "coastal marsh", "island", "plateau")),
            DateAttribute("opened", "opening date", 1950, 2020),
        )),
    ),
    extra_params=(
        boolean_param("include_failures", "Whether failed launches count.", False),
        date_param("as_of_launch", "Latest launch date to count (YYYY-MM-DD).", "2025-01-01"),
    ),
)
