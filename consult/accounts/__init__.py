"""Accounts: users, institutions, sign-up, log-in, profile, personal data."""
