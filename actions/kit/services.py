"""What the case actions work with: settings, the back end, the outbox and the form template.

Rasa builds every action with ``cls()``, so each collaborator defaults to the process-wide
one from its cached factory; tests pass their own.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from actions.kit.otp import OneTimeCodes
from actions.kit.settings import ActionSettings, get_settings
from actions.kit.template import FormTemplate, load_form_template, merge_template
from actions.outbox.store import Outbox
from cases.backend import BackendError, CaseBackend
from cases.factory import get_backend
from cases.settings import CaseSettings, get_case_settings
from cases.template import load_template_spec


class CaseServices:
    """The collaborators of the case actions."""

    def __init__(
        self,
        backend: CaseBackend | None = None,
        settings: ActionSettings | None = None,
        outbox: Outbox | None = None,
        *,
        case_settings: CaseSettings | None = None,
        codes: OneTimeCodes | None = None,
    ) -> None:
        self._backend = backend
        self._settings = settings
        self._outbox = outbox
        self._case_settings = case_settings
        self._codes = codes

    @property
    def settings(self) -> ActionSettings:
        """These settings, or the process's."""
        return self._settings or get_settings()

    @property
    def case_settings(self) -> CaseSettings:
        """These back-end settings (template file, assistant's name), or the process's."""
        return self._case_settings or get_case_settings()

    @property
    def backend(self) -> CaseBackend:
        """This back end, or the process's (which may raise ``BackendNotConfigured``)."""
        return self._backend or get_backend()

    @property
    def outbox(self) -> Outbox:
        """This outbox, or the process's."""
        return self._outbox or outbox_at(self.settings.outbox_db)

    @property
    def codes(self) -> OneTimeCodes:
        """These one-time codes, or ones on these settings (made once)."""
        if self._codes is None:
            self._codes = OneTimeCodes(self.settings)
        return self._codes

    def file_template(self) -> FormTemplate:
        """The form template from the template file alone: no call to the back end."""
        spec = load_template_spec(self.case_settings.case_template_file)
        return merge_template(spec, None, self.settings.default_phone_region)

    async def form_template(self) -> FormTemplate:
        """The form template merged with the back end's; the file alone when it cannot say."""
        try:
            backend = self.backend
        except BackendError:
            return self.file_template()
        spec = load_template_spec(self.case_settings.case_template_file)
        return await load_form_template(backend, spec, self.settings.default_phone_region)


@lru_cache(maxsize=4)
def outbox_at(path: Path) -> Outbox:
    """The outbox kept in ``path`` (``OUTBOX_DB``), one per file and process."""
    return Outbox(path)
