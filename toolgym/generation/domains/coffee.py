"""Coffee: blends roasted by roasteries, roasteries buying from plantations."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="coffee",
    kinds=(
        EntityKind("blend", "{} Roast", (
            Attribute("bags_sold", "number of bags sold", 150, 90_000),
            Attribute("price", "price per bag in cents", 600, 4900),
            Attribute("roast_time", "roast time", 9, 18, unit="min"),
            Category("tasting_note", "main tasting note", ("cocoa", "blackcurrant", "hazelnut", "jasmine",
                                                           "caramel", "bergamot")),
            DateAttribute("introduced", "introduction date", 2000, 2024),
        ), Link("roastery", "the roastery that roasts {}")),
        EntityKind("roastery", "{} Roasters", (
            Attribute("roasters", "number of roasting machines", 12, 30),
            Attribute("cafes", "number of cafés supplied", 12, 900),
            Attribute("batch_size", "batch size", 12, 120, unit="kg"),
            Category("method", "roasting method", ("drum", "fluid bed", "wood fired", "solar")),
            DateAttribute("founded", "founding date", 1950, 2022),
        ), Link("plantation", "the plantation that supplies {}")),
        EntityKind("plantation", "Finca {}", (
            Attribute("workers", "number of workers", 12, 900),
            Attribute("trees", "number of coffee trees in thousands", 12, 900),
            Attribute("altitude", "altitude", 600, 2400, unit="m"),
            Category("varietal", "main varietal", ("bourbon", "typica", "gesha", "catuai", "pacamara")),
            DateAttribute("planted", "planting date", 1850, 2010),
        )),
    ),
    extra_params=(
        enum_param("grind", "Grind size.", ("whole bean", "espresso", "filter")),
        integer_param("harvest_year", "Harvest year.", 2015, 2025, 2024),
    ),
)
