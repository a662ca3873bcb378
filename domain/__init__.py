"""The domain: pure values and rules (events, errors, ids, pages, roles, text rules, the clock).
It imports nothing of the project, so every layer may import it."""
