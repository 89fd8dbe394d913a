import pytest

from tests.fixtures.tasks import all_tasks


@pytest.fixture
def tasks():
    return all_tasks()
