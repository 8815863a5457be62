"""What the case actions work with: settings, the back end and the form template.

Rasa builds every action with ``cls()``, so each collaborator defaults to the process-wide
one from its cached factory; tests pass their own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from actions.kit.settings import ActionSettings, get_settings
from actions.kit.template import (
    FormTemplate,
    load_form_template,
    load_template_spec,
    merge_template,
)
from actions.outbox.store import Outbox
from cases.backend import BackendError, CaseBackend
from cases.factory import get_backend


class CaseServices:
    """The collaborators of the case actions."""

    def __init__(
        self,
        backend: CaseBackend | None = None,
        settings: ActionSettings | None = None,
        outbox: Outbox | None = None,
    ) -> None:
        self._backend = backend
        self._settings = settings
        self._outbox = outbox

    @property
    def settings(self) -> ActionSettings:
        """These settings, or the process's."""
        return self._settings or get_settings()

    @property
    def backend(self) -> CaseBackend:
        """This back end, or the process's (which may raise ``BackendNotConfigured``)."""
        return self._backend or get_backend()

    @property
    def outbox(self) -> Outbox:
        """This outbox, or the process's."""
        return self._outbox or outbox_at(self.settings.outbox_db)

    def file_template(self) -> FormTemplate:
        """The form template from the template file alone: no call to the back end."""
        settings = self.settings
        spec = load_template_spec(settings.case_template_file)
        return merge_template(spec, None, settings.default_phone_region)

    async def form_template(self) -> FormTemplate:
        """The form template merged with the back end's; the file alone when it cannot say."""
        settings = self.settings
        try:
            backend = self.backend
        except BackendError:
            return self.file_template()
        spec = load_template_spec(settings.case_template_file)
        return await load_form_template(backend, spec, settings.default_phone_region)


def metadata_text(metadata: object, key: str) -> str | None:
    """``metadata[key]`` when ``metadata`` is a dict and the value is non-blank text."""
    if not isinstance(metadata, dict):
        return None
    value: Any = metadata.get(key)
    return value.strip() if isinstance(value, str) and value.strip() else None


@lru_cache(maxsize=4)
def outbox_at(path: Path) -> Outbox:
    """The outbox kept in ``path`` (``OUTBOX_DB``), one per file and process."""
    return Outbox(path)
