"""Energy: power plants run by utilities, utilities overseen by regulators."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import date_param, enum_param

DOMAIN = Domain(
    name="energy",
    kinds=(
        EntityKind("power_plant", "{} Power Station", (
            Attribute("turbines", "number of turbines", 12, 90),
            Attribute("output", "yearly output in gigawatt hours", 150, 40_000),
            Attribute("capacity", "installed capacity", 15, 4000, unit="MW"),
            Category("fuel", "primary source", ("tidal", "geothermal", "wind", "solar thermal", "biomass", "hydro")),
            DateAttribute("commissioned", "commissioning date", 1950, 2024),
        ), Link("utility", "the utility that runs {}")),
        EntityKind("utility", "{} Energy", (
            Attribute("customers", "number of customers", 1500, 9_000_000),
            Attribute("staff", "number of staff", 120, 40_000),
            Attribute("grid_length", "grid length", 150, 90_000, unit="km"),
            Category("ownership", "ownership", ("municipal", "cooperative", "investor owned", "state run")),
            DateAttribute("founded", "founding date", 1880, 2015),
        ), Link("regulator", "the regulator that oversees {}")),
        EntityKind("regulator", "{} Energy Commission", (
            Attribute("commissioners", "number of commissioners", 12, 30),
            Attribute("rulings", "number of rulings last year", 40, 900),
            Attribute("budget", "annual budget", 12, 400, unit="million USD"),
            Category("jurisdiction", "jurisdiction", ("regional", "federal", "provincial", "metropolitan")),
            DateAttribute("established", "establishment date", 1900, 2010),
        )),
    ),
    extra_params=(
        enum_param("resolution", "Time resolution of figures.", ("hourly", "daily", "monthly")),
        date_param("reporting_date", "Reporting date (YYYY-MM-DD).", "2025-02-01"),
    ),
)
