""" "Ministère ouvert" events: kits, programmes, registrations and restitutions."""
