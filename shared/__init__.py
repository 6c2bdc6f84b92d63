"""Code both apps use: config, clock, keys, storage, formatting, passwords."""
