"""Insight: what the panels learn over time, in tables and charts a chair can take to a board."""
