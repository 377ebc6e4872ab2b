"""Polynomial systems, bounds and solution sets of polynomial-activation networks (no torch)."""
