"""People: organisations, user accounts, signing in and out."""
