"""Pages of the shell: home, site map, accessibility statement, legal notice, personal data."""
