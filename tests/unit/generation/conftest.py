import pytest

from toolgym.generation.backends.procedural import ProceduralBackend


@pytest.fixture
def backend():
    return ProceduralBackend()
