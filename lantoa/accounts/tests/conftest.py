import pytest


@pytest.fixture
def demo(demo_tree):
    """These tests need only the demo's units and accounts (fast); lantoa/demo/tests
    build the whole demo world."""
    return demo_tree
