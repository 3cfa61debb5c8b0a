"""Preview branches: ``service`` (each branch a real database of its own, and the action runs of
its create, merge, push and reset workflows, with the merge hooks), ``routes`` (the branch and
action-run operations, and the SQL and migrations operations that branches and projects share)."""
