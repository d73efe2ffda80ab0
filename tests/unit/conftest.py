"""Fixtures shared by the unit tests: the seed's catalogue and places (one build per module), and the action tests'
seeded network and its services (`tests/unit/actions_world.py`)."""

import pytest

from bot.seed.catalogue import Catalogue, build_catalogue
from bot.seed.places import Places, load_places
from tests.unit.actions_world import seeded_url, svc

__all__ = ["seeded_url", "svc"]  # re-exported from actions_world


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    """The seed's catalogue rows (identical on every build)."""
    return build_catalogue()


@pytest.fixture(scope="module")
def places() -> Places:
    """The seed's places: Chinese districts and overseas cities from the packaged tables."""
    return load_places()
