"""Travel: hotels in cities, cities served by airports (the worked example of the domain recipe)."""

from toolgym.generation.domains.base import (QUESTION_WRAPPERS, Attribute, Category, DateAttribute, Domain, EntityKind,
                                             Link)
from toolgym.generation.domains.params import date_param, enum_param, integer_param

DOMAIN = Domain(
    name="travel",
    kinds=(
        EntityKind("hotel", "Hotel {}", (
            Attribute("price", "nightly price in USD", 60, 990),
            Attribute("rooms", "number of rooms", 40, 900),
            Attribute("distance", "distance to the city centre", 150, 9800, unit="m"),
            Category("style", "architectural style", ("baroque", "brutalist", "art deco", "modernist", "rustic",
                                                      "colonial", "minimalist")),
            DateAttribute("renovated", "date of the last renovation", 2005, 2024),
        ), Link("city", "the city where {} is located"), params=(
            integer_param("guests", "Number of guests.", 1, 8, 2),
            enum_param("room_type", "Room category.", ("standard", "deluxe", "suite")),
        )),
        EntityKind("city", "{}", (
            Attribute("population", "population", 20_000, 4_000_000),
            Attribute("museums", "number of museums", 13, 240),
            Attribute("elevation", "elevation", 120, 2900, unit="m"),
            Category("climate", "climate type", ("oceanic", "alpine", "arid", "subtropical", "continental",
                                                 "monsoon")),
            DateAttribute("chartered", "charter date", 1650, 1950),
        ), Link("airport", "the main airport serving {}")),
        EntityKind("airport", "{} Airport", (
            Attribute("gates", "number of gates", 12, 180),
            Attribute("passengers", "yearly passenger count", 150_000, 60_000_000),
            Attribute("runway", "longest runway length", 1500, 4800, unit="m"),
            Category("hub_carrier", "hub airline's alliance", ("skyward", "oneglobe", "starling", "unaligned")),
            DateAttribute("opened", "opening date", 1925, 2015),
        ), params=(
            enum_param("terminal", "Terminal to ask about.", ("all", "domestic", "international")),
        )),
    ),
    extra_params=(
        date_param("travel_date", "Date of travel (YYYY-MM-DD).", "2025-06-01"),
    ),
    question_wrappers=QUESTION_WRAPPERS + ("I'm planning a trip: what is {}?",),
)
