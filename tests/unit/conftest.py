"""Fixtures shared by the action tests (`tests/unit/actions_world.py`): the seeded network and its services."""

from tests.unit.actions_world import seeded_url, svc

__all__ = ["seeded_url", "svc"]
