"""System administration: organisations, users, panels and memberships, and the audit trail.

Admin is not a panel role: it is the `User.is_admin` flag, checked by `panel.access`.
"""
