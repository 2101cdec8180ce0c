"""Petitions: deposit, admissibility, signatures and official answers."""
