"""Art: artworks by artists, artists belonging to art movements."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="art",
    kinds=(
        EntityKind("artwork", "{} Triptych", (
            Attribute("valuation", "valuation in thousand USD", 15, 90_000),
            Attribute("loans", "number of exhibition loans", 12, 90),
            Attribute("width", "width", 30, 900, unit="cm"),
            Category("medium", "medium", ("oil on canvas", "fresco", "gouache", "woodcut", "tempera", "collage")),
            DateAttribute("completed", "completion date", 1600, 2020),
        ), Link("artist", "the artist who made {}")),
        EntityKind("artist", "{}", (
            Attribute("works", "number of catalogued works", 15, 900),
            Attribute("exhibitions", "number of solo exhibitions", 12, 140),
            Attribute("studio_height", "studio ceiling height", 3, 12, unit="m"),
            Category("palette", "signature palette", ("earth tones", "pastels", "monochrome", "primaries",
                                                      "neon")),
            DateAttribute("born", "date of birth", 1580, 1995),
        ), Link("movement", "the art movement of {}")),
        EntityKind("movement", "{}ism", (
            Attribute("members", "number of member artists", 12, 300),
            Attribute("manifestos", "number of published manifestos", 12, 40),
            Attribute("span", "active span", 12, 90, unit="years"),
            Category("origin_venue", "founding venue", ("salon", "café", "workshop", "academy", "rooftop")),
            DateAttribute("founded", "founding date", 1600, 2000),
        )),
    ),
    extra_params=(
        enum_param("collection", "Collection to search.", ("public", "private", "all")),
        boolean_param("include_attributed", "Whether attributed works count.", False),
    ),
)
