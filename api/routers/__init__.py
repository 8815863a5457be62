"""The gateway's own routers, one per resource; channel routers live in ``api.channels``."""
