"""Finance: portfolios holding companies, companies listed on exchanges."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="finance",
    kinds=(
        EntityKind("portfolio", "{} Portfolio", (
            Attribute("value", "market value in thousand USD", 1200, 95_000),
            Attribute("holdings", "number of holdings", 12, 400),
            Attribute("fee", "annual fee", 15, 250, unit="basis points"),
            Category("strategy", "investment strategy", ("growth", "income", "balanced", "contrarian", "momentum",
                                                          "defensive")),
            DateAttribute("inception", "inception date", 1985, 2022),
        ), Link("largest_holding", "the largest holding of {}")),
        EntityKind("company", "{} Holdings", (
            Attribute("employees", "number of employees", 120, 90_000),
            Attribute("share_price", "share price in cents", 150, 99_000),
            Attribute("revenue", "yearly revenue", 15, 9000, unit="million USD"),
            Category("sector", "industry sector", ("utilities", "logistics", "biotech", "mining", "insurance",
                                                   "semiconductors", "textiles")),
            DateAttribute("ipo", "date of the initial public offering", 1960, 2023),
        ), Link("exchange", "the stock exchange where {} is listed")),
        EntityKind("exchange", "{} Exchange", (
            Attribute("listings", "number of listed companies", 120, 4000),
            Attribute("volume", "daily trading volume in thousand shares", 1500, 900_000),
            Attribute("trading_hours", "length of the trading day", 4, 12, unit="hours"),
            Category("settlement", "settlement cycle", ("same-day", "next-day", "two-day", "weekly")),
            DateAttribute("founded", "founding date", 1780, 1999),
        )),
    ),
    extra_params=(
        enum_param("currency", "Currency of monetary values.", ("USD", "EUR", "GBP", "JPY")),
        integer_param("fiscal_year", "Fiscal year of the figures.", 2015, 2025, 2024),
    ),
)
