"""Publishing: books written by authors, authors signed to publishers."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="publishing",
    kinds=(
        EntityKind("book", "The {} Chronicles", (
            Attribute("pages", "number of pages", 90, 1400),
            Attribute("copies_sold", "number of copies sold", 1500, 4_000_000),
            Attribute("spine_width", "spine width", 12, 85, unit="mm"),
            Category("binding", "binding", ("hardcover", "paperback", "clothbound", "spiral")),
            DateAttribute("published", "publication date", 1950, 2024),
        ), Link("author", "the author of {}")),
        EntityKind("author", "{}", (
            Attribute("novels", "number of novels", 12, 90),
            Attribute("translations", "number of translations", 12, 140),
            Attribute("longest_tour", "longest book tour", 12, 120, unit="days"),
            Category("pen", "preferred writing instrument", ("fountain pen", "typewriter", "pencil", "dictation")),
            DateAttribute("debut", "debut date", 1960, 2020),
        ), Link("publisher", "the publisher that signed {}")),
        EntityKind("publisher", "{} Press", (
            Attribute("titles", "number of titles in print", 150, 9000),
            Attribute("editors", "number of editors", 12, 300),
            Attribute("warehouse", "warehouse floor space", 400, 9000, unit="sq m"),
            Category("colophon", "colophon animal", ("kestrel", "badger", "otter", "crane", "fox")),
            DateAttribute("founded", "founding date", 1800, 2010),
        )),
    ),
    extra_params=(
        enum_param("format", "Edition format.", ("print", "ebook", "audio")),
        boolean_param("include_out_of_print", "Whether out-of-print editions count.", False),
    ),
)
