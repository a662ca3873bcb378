"""The local stack manager: `python3 stack/stackctl.py` (see stack/README.md). Standard library only."""
