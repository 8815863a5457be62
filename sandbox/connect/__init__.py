"""A stand-in for the part of Amazon Connect the assistant uses: a case's attached files."""
