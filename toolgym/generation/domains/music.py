"""Music: albums recorded by bands, bands signed to record labels."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="music",
    kinds=(
        EntityKind("album", "{} Sessions", (
            Attribute("tracks", "number of tracks", 12, 40),
            Attribute("streams", "number of streams in thousands", 150, 900_000),
            Attribute("length", "total length", 28, 95, unit="min"),
            Category("album_genre", "genre", ("shoegaze", "bluegrass", "synthwave", "afrobeat", "chamber folk")),
            DateAttribute("released", "release date", 1965, 2024),
        ), Link("band", "the band that recorded {}")),
        EntityKind("band", "The {}s", (
            Attribute("members", "number of members so far", 12, 40),
            Attribute("concerts", "number of concerts played", 40, 3000),
            Attribute("tour_distance", "distance covered on the last tour", 1200, 90_000, unit="km"),
            Category("hometown_scene", "home scene", ("harbour district", "college town", "mill town",
                                                      "island circuit")),
            DateAttribute("formed", "formation date", 1960, 2020),
        ), Link("label", "the record label of {}")),
        EntityKind("label", "{} Records", (
            Attribute("artists", "number of signed artists", 12, 400),
            Attribute("catalogue", "number of releases in the catalogue", 150, 9000),
            Attribute("studio_area", "studio floor area", 80, 900, unit="sq m"),
            Category("pressing", "preferred pressing", ("vinyl", "cassette", "digital only", "shellac")),
            DateAttribute("founded", "founding date", 1940, 2015),
        )),
    ),
    extra_params=(
        enum_param("chart", "Chart to report.", ("national", "global", "genre")),
        integer_param("year", "Chart year.", 1990, 2025, 2024),
    ),
)
