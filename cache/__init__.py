"""Redis: every key family has one owner module here. All of it can be rebuilt or lost safely,
except sessions, which a restart keeps through the AOF."""
