"""News: articles published in newspapers, newspapers owned by media groups."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, string_param

DOMAIN = Domain(
    name="news",
    kinds=(
        EntityKind("article", "{} Affair", (
            Attribute("words", "word count", 150, 9000),
            Attribute("shares", "number of shares", 12, 90_000),
            Attribute("reading_time", "reading time", 2, 45, unit="min"),
            Category("section", "section", ("opinion", "business", "culture", "science", "local", "obituaries")),
            DateAttribute("published", "publication date", 2000, 2024),
        ), Link("newspaper", "the newspaper that published {}")),
        EntityKind("newspaper", "The {} Herald", (
            Attribute("circulation", "daily circulation", 1500, 900_000),
            Attribute("journalists", "number of journalists", 12, 900),
            Attribute("page_width", "page width", 28, 60, unit="cm"),
            Category("paper_format", "format", ("broadsheet", "tabloid", "berliner", "compact")),
            DateAttribute("first_issue", "date of the first issue", 1780, 2010),
        ), Link("media_group", "the media group that owns {}")),
        EntityKind("media_group", "{} Media", (
            Attribute("titles", "number of titles", 12, 140),
            Attribute("employees", "number of employees", 150, 40_000),
            Attribute("revenue", "yearly revenue", 15, 9000, unit="million USD"),
            Category("stance", "editorial stance", ("centrist", "progressive", "conservative", "independent")),
            DateAttribute("founded", "founding date", 1850, 2015),
        )),
    ),
    extra_params=(
        enum_param("edition", "Edition.", ("print", "online", "weekend")),
        string_param("locale", "Locale of the edition.", "en-GB"),
    ),
)
