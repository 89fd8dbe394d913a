"""Food: dishes served at restaurants, restaurants led by chefs."""

from toolgym.generation.domains.base import Attribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="food",
    kinds=(
        EntityKind("dish", "{} Stew", (
            Attribute("calories", "calories per serving", 120, 1900),
            Attribute("price", "price in cents", 350, 9900),
            Attribute("prep_time", "preparation time in minutes", 12, 240),
        ), Link("restaurant", "the restaurant that serves {}")),
        EntityKind("restaurant", "{} Bistro", (
            Attribute("seats", "number of seats", 20, 400),
            Attribute("reservations", "number of monthly reservations", 150, 9000),
            Attribute("wines", "number of wines on the list", 20, 600),
        ), Link("chef", "the head chef of {}")),
        EntityKind("chef", "Chef {}", (
            Attribute("experience", "years of experience", 12, 45),
            Attribute("signature_dishes", "number of signature dishes", 12, 60),
            Attribute("trainees", "number of trained cooks", 15, 400),
        )),
    ),
    extra_params=(
        enum_param("diet", "Dietary restriction to respect.", ("none", "vegetarian", "vegan", "gluten_free")),
        boolean_param("delivery", "Whether the order is delivered.", False),
    ),
)
