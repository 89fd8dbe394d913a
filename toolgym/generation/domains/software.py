"""Software: packages maintained by teams, teams hosted by foundations."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="software",
    kinds=(
        EntityKind("package", "lib{}", (
            Attribute("downloads", "weekly downloads", 1500, 9_000_000),
            Attribute("open_issues", "number of open issues", 12, 4000),
            Attribute("bundle_size", "bundle size", 12, 900, unit="KB"),
            Category("licence", "licence", ("permissive", "copyleft", "weak copyleft", "public domain")),
            DateAttribute("first_release", "date of the first release", 2000, 2024),
        ), Link("maintainer_team", "the team that maintains {}")),
        EntityKind("maintainer_team", "{} Collective", (
            Attribute("maintainers", "number of maintainers", 12, 90),
            Attribute("contributors", "number of contributors", 40, 9000),
            Attribute("review_time", "median review time", 12, 240, unit="hours"),
            Category("chat", "chat platform", ("mailing list", "forum", "irc", "video calls")),
            DateAttribute("formed", "formation date", 1995, 2023),
        ), Link("foundation", "the foundation that hosts {}")),
        EntityKind("foundation", "{} Foundation", (
            Attribute("projects", "number of hosted projects", 12, 400),
            Attribute("sponsors", "number of sponsors", 12, 900),
            Attribute("grants", "yearly grants", 15, 9000, unit="thousand USD"),
            Category("governance", "governance model", ("elected board", "meritocracy", "benevolent steward",
                                                        "member vote")),
            DateAttribute("incorporated", "incorporation date", 1985, 2020),
        )),
    ),
    extra_params=(
        enum_param("channel", "Release channel.", ("stable", "beta", "nightly")),
        boolean_param("include_forks", "Whether forks count.", False),
    ),
)
