"""Durable job queues (SQLite on one machine, Redis when shared) and the worker that runs them."""
