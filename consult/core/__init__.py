"""Shared kernel: database, errors, permissions, mail, audit, i18n. Imports no feature."""
