"""The public archive: search, browsing and open data of everything published."""
