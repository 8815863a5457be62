"""The case back end the actions use, built once per process from the settings.

``CASE_BACKEND`` (``cases.settings``) picks the back end; each back end's folder builds it
(``factory.py``) from what every back end reads and its own ``settings.py``.
"""

from __future__ import annotations

from functools import lru_cache

from cases.aicc.factory import aicc_backend
from cases.backend import BackendNotConfigured, CaseBackend
from cases.connect.factory import connect_backend
from cases.settings import get_case_settings


@lru_cache(maxsize=1)
def get_backend() -> CaseBackend:
    """The back end named by ``CASE_BACKEND``."""
    cases = get_case_settings()
    if cases.case_backend == "connect":
        return connect_backend(cases)
    if cases.case_backend == "aicc":
        return aicc_backend(cases)
    raise BackendNotConfigured(
        f"CASE_BACKEND={cases.case_backend} is not available in this version; "
        "set CASE_BACKEND=connect"
    )
