"""Finance: portfolios holding companies, companies listed on exchanges."""

from toolgym.generation.domains.base import Attribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="finance",
    kinds=(
        EntityKind("portfolio", "{} Portfolio", (
            Attribute("value", "market value in thousand USD", 1200, 95_000),
            Attribute("holdings", "number of holdings", 12, 400),
            Attribute("fee", "annual fee in basis points", 15, 250),
        ), Link("largest_holding", "the largest holding of {}")),
        EntityKind("company", "{} Holdings", (
            Attribute("employees", "number of employees", 120, 90_000),
            Attribute("revenue", "yearly revenue in million USD", 15, 9000),
            Attribute("share_price", "share price in cents", 150, 99_000),
        ), Link("exchange", "the stock exchange where {} is listed")),
        EntityKind("exchange", "{} Exchange", (
            Attribute("listings", "number of listed companies", 120, 4000),
            Attribute("volume", "daily trading volume in thousand shares", 1500, 900_000),
            Attribute("founded", "founding year", 1780, 1999),
        )),
    ),
    extra_params=(
        enum_param("currency", "Currency of monetary values.", ("USD", "EUR", "GBP", "JPY")),
        integer_param("fiscal_year", "Fiscal year of the figures.", 2015, 2025, 2024),
    ),
)
