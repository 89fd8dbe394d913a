"""The examples in the parsing modules' docstrings run and hold."""

import doctest
import importlib

import pytest

MODULES = ["toolgym.parsing", "toolgym.parsing.reasoning", "toolgym.parsing.hermes", "toolgym.parsing.llama3_json",
           "toolgym.parsing.mistral", "toolgym.parsing.pythonic", "toolgym.parsing.structured",
           "toolgym.parsing.base"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.failed == 0
