"""Health: doctors practising at clinics, clinics referring to hospitals."""

from toolgym.generation.domains.base import Attribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import boolean_param, enum_param

DOMAIN = Domain(
    name="health",
    kinds=(
        EntityKind("doctor", "Dr. {}", (
            Attribute("patients", "number of patients per month", 40, 900),
            Attribute("fee", "consultation fee in USD", 45, 480),
            Attribute("publications", "number of published studies", 12, 160),
        ), Link("clinic", "the clinic where {} practises")),
        EntityKind("clinic", "{} Clinic", (
            Attribute("staff", "number of staff", 12, 240),
            Attribute("visits", "number of yearly visits", 1500, 90_000),
            Attribute("rooms", "number of examination rooms", 12, 80),
        ), Link("hospital", "the hospital that {} refers patients to")),
        EntityKind("hospital", "{} General Hospital", (
            Attribute("beds", "number of beds", 80, 2400),
            Attribute("wait_time", "average emergency wait time in minutes", 12, 240),
            Attribute("surgeons", "number of surgeons", 15, 300),
        )),
    ),
    extra_params=(
        boolean_param("accepts_insurance", "Only consider providers accepting insurance.", True),
        enum_param("specialty", "Medical specialty.", ("general", "cardiology", "pediatrics", "orthopedics")),
    ),
)
