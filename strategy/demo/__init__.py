"""Demo content for the strategy app, called by ``generate_demo_data`` after the schools generator
(:func:`generate`)."""

from .building import generate

__all__ = ["generate"]
