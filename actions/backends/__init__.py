"""Case back ends: one interface (``base``) and its implementations."""
