"""Health: doctors practising at clinics, clinics referring to hospitals."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="health",
    kinds=(
        EntityKind("doctor", "Dr. {}", (
            Attribute("patients", "number of patients per month", 40, 900),
            Attribute("publications", "number of published studies", 12, 160),
            Attribute("fee", "consultation fee", 45, 480, unit="USD"),
            Category("language", "second consulting language", ("tarvish", "melanic", "oskari", "dunmere",
                                                                 "velsic")),
            DateAttribute("licensed", "licensing date", 1985, 2020),
        ), Link("clinic", "the clinic where {} practises")),
        EntityKind("clinic", "{} Clinic", (
            Attribute("staff", "number of staff", 12, 240),
            Attribute("visits", "number of yearly visits", 1500, 90_000),
            Attribute("pharmacy_hours", "weekly opening time of the pharmacy", 20, 84, unit="hours"),
            Category("accreditation", "accreditation tier", ("bronze", "silver", "platinum", "provisional")),
            DateAttribute("inspected", "date of the last inspection", 2019, 2024),
        ), Link("hospital", "the hospital that {} refers patients to")),
        EntityKind("hospital", "{} General Hospital", (
            Attribute("beds", "number of beds", 80, 2400),
            Attribute("surgeons", "number of surgeons", 15, 300),
            Attribute("wait_time", "average emergency wait time", 12, 240, unit="min"),
            Category("trauma_level", "trauma centre designation", ("level one", "level two", "level three",
                                                                   "undesignated")),
            DateAttribute("founded", "founding date", 1850, 1990),
        )),
    ),
    extra_params=(
        boolean_param("accepts_insurance", "Only consider providers accepting insurance.", True),
        enum_param("specialty", "Medical specialty.", ("general", "cardiology", "pediatrics", "orthopedics")),
    ),
)
