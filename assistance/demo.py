"""Placeholder, replaced below."""

from core.seeding import SeedStep

STEP = SeedStep(order=50, name="assistance", seed=lambda ctx: None)
