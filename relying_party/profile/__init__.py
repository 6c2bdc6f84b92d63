"""Main page, settings (with the fields a link locks), public profiles, security."""
