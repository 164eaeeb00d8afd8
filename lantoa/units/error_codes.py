"""Stable codes of the unit tree's errors (problem+json ``code``): integrators branch on
these, never on the Vietnamese text."""

MOVE_INTO_OWN_SUBTREE = "unit_move_into_own_subtree"
MOVE_ROOT = "unit_move_root"
MOVE_SAME_PARENT = "unit_move_same_parent"
PARENT_CLOSED = "unit_parent_closed"
STALE_VERSION = "unit_stale_version"
ALREADY_CLOSED = "unit_already_closed"
SUCCESSOR_INVALID = "unit_successor_invalid"
SHARES_INVALID = "unit_shares_invalid"
USE_MOVE = "unit_parent_use_move"
# A restructuring sheet with bad rows: ``errors`` lists each (row, column, message).
RESTRUCTURE_ROWS = "unit_restructure_rows"
