"""Mountaineering: routes up peaks, peaks in mountain ranges."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="mountaineering",
    kinds=(
        EntityKind("route", "{} Ridge", (
            Attribute("pitches", "number of pitches", 12, 60),
            Attribute("ascents", "number of recorded ascents", 12, 9000),
            Attribute("length", "route length", 150, 4000, unit="m"),
            Category("grade", "difficulty grade", ("easy scramble", "moderate", "severe", "extreme")),
            DateAttribute("first_ascent", "first ascent date", 1850, 2024),
        ), Link("peak", "the peak that {} climbs")),
        EntityKind("peak", "Mount {}", (
            Attribute("elevation", "elevation in metres", 1500, 8800),
            Attribute("routes", "number of routes", 12, 140),
            Attribute("prominence", "prominence", 150, 4000, unit="m"),
            Category("rock", "rock type", ("granite", "limestone", "gneiss", "basalt", "schist")),
            DateAttribute("surveyed", "survey date", 1800, 2020),
        ), Link("mountain_range", "the mountain range that includes {}")),
        EntityKind("mountain_range", "{} Range", (
            Attribute("peaks", "number of named peaks", 12, 400),
            Attribute("huts", "number of mountain huts", 12, 300),
            Attribute("range_length", "length", 40, 2400, unit="km"),
            Category("orogeny", "mountain-building type", ("fold", "fault block", "volcanic arc", "dome")),
            DateAttribute("mapped", "date of the first complete map", 1750, 1990),
        )),
    ),
    extra_params=(
        enum_param("season", "Climbing season.", ("summer", "winter")),
        boolean_param("guided", "Whether a guide is booked.", False),
    ),
)
