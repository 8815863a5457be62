from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from sandbox.connect_cases.db import Database
from sandbox.connect_cases.seed import SeedError, seed_domain
from sandbox.connect_cases.store import Store

SEED_FILE = Path(__file__).resolve().parents[4] / "data" / "connect_cases" / "domain.yaml"


@pytest.fixture
def store() -> Iterator[Store]:
    db = Database(":memory:")
    db.open()
    yield Store(db)
    db.close()


def test_seed_loads_fields_with_their_ids_options_layout_and_template(store: Store) -> None:
    spec = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))

    domain_id = seed_domain(store, SEED_FILE)

    with store.session() as session:
        fields = {field.field_id: field for field in session.list_fields(domain_id)}
        template = session.get_template(domain_id, spec["template"]["templateId"])
        layout = session.get_layout(domain_id, spec["layout"]["layoutId"])
        status = [option.value for option in session.list_options(domain_id, "status")]
    assert domain_id == spec["domain"]["domainId"]
    assert {f["fieldId"] for f in spec["custom_fields"]} <= set(fields)
    assert fields["title"].namespace == "System"
    assert status == ["open", "closed"]
    assert template is not None and template.layout_id == spec["layout"]["layoutId"]
    assert layout is not None and "basic" in layout.content


def test_seed_that_names_an_undefined_field_is_refused(store: Store, tmp_path: Path) -> None:
    spec = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    spec["template"]["required"] = ["Title", "Shoe size"]
    seed = tmp_path / "domain.yaml"
    seed.write_text(yaml.safe_dump(spec), encoding="utf-8")

    with pytest.raises(SeedError, match="Shoe size"):
        seed_domain(store, seed)


def test_seed_without_a_template_is_refused(store: Store, tmp_path: Path) -> None:
    seed = tmp_path / "domain.yaml"
    seed.write_text(yaml.safe_dump({"domain": {"domainId": "d", "name": "n"}}), encoding="utf-8")

    with pytest.raises(SeedError, match="template"):
        seed_domain(store, seed)
