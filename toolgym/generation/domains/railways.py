"""Railways: trains calling at stations, stations on rail lines."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import date_param, enum_param

DOMAIN = Domain(
    name="railways",
    kinds=(
        EntityKind("train", "The {} Express", (
            Attribute("carriages", "number of carriages", 12, 24),
            Attribute("passengers", "daily passengers", 150, 9000),
            Attribute("top_speed", "top speed", 120, 350, unit="km/h"),
            Category("traction", "traction", ("electric", "diesel", "hydrogen", "battery hybrid")),
            DateAttribute("first_run", "date of its first run", 1950, 2024),
        ), Link("station", "the terminal station of {}")),
        EntityKind("station", "{} Central", (
            Attribute("platforms", "number of platforms", 12, 40),
            Attribute("footfall", "daily footfall", 1500, 400_000),
            Attribute("concourse", "concourse length", 40, 600, unit="m"),
            Category("roof", "roof style", ("train shed", "canopy", "underground", "glass vault")),
            DateAttribute("opened", "opening date", 1840, 2020),
        ), Link("rail_line", "the rail line that serves {}")),
        EntityKind("rail_line", "{} Line", (
            Attribute("stations", "number of stations", 12, 90),
            Attribute("trains_per_day", "number of trains per day", 20, 600),
            Attribute("route_length", "route length", 15, 1400, unit="km"),
            Category("gauge", "track gauge", ("standard gauge", "broad gauge", "metre gauge", "narrow gauge")),
            DateAttribute("electrified", "electrification date", 1900, 2023),
        )),
    ),
    extra_params=(
        enum_param("ticket_class", "Ticket class.", ("standard", "first")),
        date_param("service_date", "Day of service (YYYY-MM-DD).", "2025-05-20"),
    ),
)
