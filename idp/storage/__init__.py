"""Storage rules every dialect shares: what is used once, and what is counted, in SQL."""
