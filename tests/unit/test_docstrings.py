"""Every example in toolgym's docstrings runs and holds (a wrong example is a documentation bug)."""

import doctest
import importlib
import pkgutil

import pytest

import toolgym

SKIPPED = ("toolgym.cli.__main__", "toolgym.execution._worker")  # entry points: they run on import
MODULES = sorted(m.name for m in pkgutil.walk_packages(toolgym.__path__, "toolgym.") if m.name not in SKIPPED)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0


def test_the_modules_with_examples_are_collected():
    assert {"toolgym.models.memo", "toolgym.parsing.hermes", "toolgym.execution.validation"} <= set(MODULES)
