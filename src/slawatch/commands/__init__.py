"""Sub-commands of `slawatch` that work on the database: db, serve, demo, users, tokens, import."""
