"""Education: courses taught by professors, professors employed by universities."""

from toolgym.generation.domains.base import Attribute, Category, DateAttribute, Domain, EntityKind, Link
from toolgym.generation.domains.params import enum_param, integer_param

DOMAIN = Domain(
    name="education",
    kinds=(
        EntityKind("course", "{} Seminar", (
            Attribute("enrolled", "number of enrolled students", 15, 600),
            Attribute("tuition", "tuition fee in USD", 150, 9000),
            Attribute("lecture_hours", "teaching load", 20, 180, unit="hours"),
            Category("assessment", "assessment format", ("oral exam", "portfolio", "take-home essay",
                                                         "lab practical", "written exam")),
            DateAttribute("first_taught", "date it was first taught", 1990, 2023),
        ), Link("professor", "the professor who teaches {}")),
        EntityKind("professor", "Professor {}", (
            Attribute("publications", "number of publications", 12, 400),
            Attribute("citations", "number of citations", 150, 90_000),
            Attribute("office_area", "office area", 9, 40, unit="sq m"),
            Category("field_of_study", "field of study", ("glaciology", "linguistics", "topology", "ethnobotany",
                                                          "acoustics", "numismatics")),
            DateAttribute("appointed", "appointment date", 1980, 2023),
        ), Link("university", "the university that employs {}")),
        EntityKind("university", "University of {}", (
            Attribute("students", "number of students", 1500, 90_000),
            Attribute("library_books", "number of library books", 15_000, 9_000_000),
            Attribute("campus_area", "campus area", 12, 900, unit="hectares"),
            Category("motto_language", "language of its motto", ("latin", "old tarvish", "classical velsic",
                                                                 "greek")),
            DateAttribute("founded", "founding date", 1600, 1990),
        )),
    ),
    extra_params=(
        enum_param("term", "Academic term.", ("fall", "spring", "summer")),
        integer_param("academic_year", "Academic year (its first calendar year).", 2015, 2025, 2024),
    ),
)
