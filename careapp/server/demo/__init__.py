"""Synthetic demo data: identifier systems, physicians and published care flow definitions."""
