"""What every casebot process shares: log masking and SQLite files. Imports nothing of casebot."""
