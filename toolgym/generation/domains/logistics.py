"""Logistics: parcels stored in warehouses, warehouses run by couriers."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="logistics",
    kinds=(
        EntityKind("parcel", "Parcel {}", (
            Attribute("declared_value", "declared value in USD", 12, 9000),
            Attribute("scans", "number of tracking scans", 12, 40),
            Attribute("weight", "weight", 120, 30_000, unit="g"),
            Category("parcel_status", "status", ("in transit", "held at depot", "out for delivery",
                                                 "awaiting pickup")),
            DateAttribute("shipped", "shipping date", 2024, 2024),
        ), Link("warehouse", "the warehouse holding {}")),
        EntityKind("warehouse", "{} Depot", (
            Attribute("docks", "number of loading docks", 12, 90),
            Attribute("pallets", "pallet capacity", 1500, 90_000),
            Attribute("floor_space", "floor space", 1500, 90_000, unit="sq m"),
            Category("automation", "automation level", ("manual", "semi-automated", "robotic", "lights-out")),
            DateAttribute("opened", "opening date", 1980, 2024),
        ), Link("courier", "the courier that runs {}")),
        EntityKind("courier", "{} Couriers", (
            Attribute("vans", "number of vans", 40, 9000),
            Attribute("drivers", "number of drivers", 40, 20_000),
            Attribute("daily_route", "average daily route", 40, 400, unit="km"),
            Category("vehicle_colour", "fleet colour", ("yellow", "purple", "orange", "brown", "white")),
            DateAttribute("founded", "founding date", 1900, 2020),
        )),
    ),
    extra_params=(
        enum_param("speed", "Delivery speed.", ("economy", "express", "overnight")),
        boolean_param("signature_required", "Whether a signature is required.", False),
    ),
)
