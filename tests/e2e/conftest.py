"""The whole stack for the end-to-end tests: started once per session from the Procfile."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.stack import DOMAIN_ID, MODEL, ROOT, TEMPLATE_ID, Stack, running_stack

__all__ = ["DOMAIN_ID", "MODEL", "ROOT", "TEMPLATE_ID", "Stack"]


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make model` (make test does)")
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running
