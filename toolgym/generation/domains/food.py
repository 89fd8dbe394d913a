"""Food: dishes served at restaurants, restaurants led by chefs."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="food",
    kinds=(
        EntityKind("dish", "{} Stew", (
            Attribute("calories", "calories per serving", 120, 1900),
            Attribute("price", "price in cents", 350, 9900),
            Attribute("prep_time", "preparation time", 12, 240, unit="min"),
            Category("main_spice", "main spice", ("saffron", "sumac", "cardamom", "fenugreek", "smoked paprika",
                                                  "star anise")),
            DateAttribute("added", "date it was added to the menu", 2010, 2024),
        ), Link("restaurant", "the restaurant that serves {}")),
        EntityKind("restaurant", "{} Bistro", (
            Attribute("seats", "number of seats", 20, 400),
            Attribute("reservations", "number of monthly reservations", 150, 9000),
            Attribute("terrace", "terrace area", 12, 240, unit="sq m"),
            Category("cuisine", "cuisine", ("coastal", "highland", "fusion", "farmhouse", "street food", "tasting")),
            DateAttribute("opened", "opening date", 1970, 2023),
        ), Link("chef", "the head chef of {}")),
        EntityKind("chef", "Chef {}", (
            Attribute("experience", "years of experience", 12, 45),
            Attribute("trainees", "number of trained cooks", 15, 400),
            Attribute("knife_length", "favourite knife's blade length", 15, 33, unit="cm"),
            Category("technique", "signature technique", ("fermentation", "smoking", "sous vide", "open fire",
                                                          "curing")),
            DateAttribute("born", "date of birth", 1950, 1995),
        )),
    ),
    extra_params=(
        enum_param("diet", "Dietary restriction to respect.", ("none", "vegetarian", "vegan", "gluten_free")),
        boolean_param("delivery", "Whether the order is delivered.", False),
    ),
)
