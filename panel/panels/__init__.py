"""Panels (scrutiny panel, local hate crime panels, IAGs) and who sits on them in which role."""
