"""Education: courses taught by professors, professors employed by universities."""

from toolgym.generation.domains.base import Attribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="education",
    kinds=(
        EntityKind("course", "{} Seminar", (
            Attribute("enrolled", "number of enrolled students", 15, 600),
            Attribute("tuition", "tuition fee in USD", 150, 9000),
            Attribute("lecture_hours", "number of lecture hours", 20, 180),
        ), Link("professor", "the professor who teaches {}")),
        EntityKind("professor", "Professor {}", (
            Attribute("publications", "number of publications", 12, 400),
            Attribute("citations", "number of citations", 150, 90_000),
            Attribute("students_supervised", "number of supervised doctoral students", 12, 60),
        ), Link("university", "the university that employs {}")),
        EntityKind("university", "University of {}", (
            Attribute("students", "number of students", 1500, 90_000),
            Attribute("founded", "founding year", 1600, 1990),
            Attribute("library_books", "number of library books", 15_000, 9_000_000),
        )),
    ),
    extra_params=(
        enum_param("term", "Academic term.", ("fall", "spring", "summer")),
        integer_param("academic_year", "Academic year (its first calendar year).", 2015, 2025, 2024),
    ),
)
