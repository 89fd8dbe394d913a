"""Maritime: vessels registered in ports, ports run by port authorities."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="maritime",
    kinds=(
        EntityKind("vessel", "MV {}", (
            Attribute("crew", "crew size", 12, 60),
            Attribute("tonnage", "gross tonnage", 1500, 200_000),
            Attribute("length", "length overall", 40, 400, unit="m"),
            Category("hull", "hull type", ("bulk carrier", "tanker", "ro-ro", "container", "trawler")),
            DateAttribute("launched", "launch date", 1970, 2024),
        ), Link("port", "the home port of {}")),
        EntityKind("port", "Port {}", (
            Attribute("berths", "number of berths", 12, 140),
            Attribute("cranes", "number of cranes", 12, 90),
            Attribute("channel_depth", "channel depth", 12, 25, unit="m"),
            Category("tide", "tidal regime", ("diurnal", "semidiurnal", "mixed", "microtidal")),
            DateAttribute("chartered", "charter date", 1700, 1990),
        ), Link("port_authority", "the authority that runs {}")),
        EntityKind("port_authority", "{} Harbour Board", (
            Attribute("ports", "number of ports run", 12, 40),
            Attribute("pilots", "number of licensed pilots", 12, 300),
            Attribute("budget", "annual budget", 15, 900, unit="million USD"),
            Category("flag", "flag colours", ("blue and white", "red and gold", "green and black", "all white")),
            DateAttribute("established", "establishment date", 1800, 2000),
        )),
    ),
    extra_params=(
        enum_param("cargo", "Cargo category.", ("dry", "liquid", "general")),
        boolean_param("include_anchored", "Whether anchored vessels count.", True),
    ),
)
