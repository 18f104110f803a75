"""Anonymised case reviews of finalised hate crime cases, reviewed stage by stage."""
