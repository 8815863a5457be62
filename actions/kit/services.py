"""What the case actions work with: settings, the back end, the outbox and the form template.

Rasa builds every action with ``cls()``, so each collaborator defaults to the process-wide
one from its cached factory; tests pass their own.
"""

from __future__ import annotations

import asyncio
import logging
from functools import lru_cache
from pathlib import Path

from actions.kit.otp import OneTimeCodes
from actions.kit.settings import ActionSettings, get_settings
from actions.kit.template import FormTemplate, load_form_template, merge_template
from actions.outbox.postgres import PostgresOutbox
from actions.outbox.sqlite import SqliteOutbox
from actions.outbox.store import STORE_ERRORS, Outbox
from cases.backend import BackendError, CaseBackend, CaseDraft
from cases.factory import get_backend
from cases.settings import CaseSettings, get_case_settings
from cases.template import load_template_spec
from common.postgres import shared_pool

logger = logging.getLogger(__name__)


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
        return self._outbox or outbox_for(self.settings, self.case_settings)

    async def keep_for_later(self, draft: CaseDraft, key: str) -> bool:
        """Put the submission in the outbox, for its worker to file; whether it is safely kept.

        The outbox's store blocks (a file, a database server), so it is written in a thread.
        """
        try:
            await asyncio.to_thread(lambda: self.outbox.put(draft, key))
        except STORE_ERRORS:
            logger.exception("the outbox could not keep a case; the user is asked to retry")
            return False
        return True

    @property
    def codes(self) -> OneTimeCodes:
        """These one-time codes, or ones on these settings (made once)."""
        if self._codes is None:
            self._codes = OneTimeCodes(self.settings, cases=self.case_settings)
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


def outbox_for(settings: ActionSettings, cases: CaseSettings) -> Outbox:
    """The process's outbox: in PostgreSQL with ``ACTIONS_DATABASE_URL``, else in ``OUTBOX_DB``.

    Opening it may block (PostgreSQL's tables are created at first): call it in a thread.
    """
    url = cases.actions_database_url
    return outbox_at(settings.outbox_db, None if url is None else url.get_secret_value())


@lru_cache(maxsize=4)
def outbox_at(path: Path, url: str | None = None) -> Outbox:
    """The outbox kept at ``url`` when given, else in the SQLite file ``path``; one each."""
    if url is not None:
        return PostgresOutbox(shared_pool(url))
    return SqliteOutbox(path)
