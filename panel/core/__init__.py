"""Shared plumbing every domain builds on, and which knows no domain: the database types and
time, the audit trail, the personal-data guard, forms, pagination, CSV, mail, encryption,
throttling, error pages and the registry through which domains contribute to each other.

Nothing in `panel.core` imports a domain package; import-linter checks it (`setup.cfg`).
"""
