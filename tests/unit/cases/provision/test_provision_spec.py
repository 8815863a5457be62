from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from cases.provision.spec import DomainFileError, OptionSpec, load_domain_spec

REPO = Path(__file__).resolve().parents[4]
DOMAIN_FILE = REPO / "data" / "connect_cases" / "domain.yaml"


def write(tmp_path: Path, **changes: object) -> Path:
    raw = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    raw.update(changes)
    path = tmp_path / "domain.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_domain_file_gives_system_and_custom_fields_by_name() -> None:
    spec = load_domain_spec(DOMAIN_FILE)

    assert spec.name == "casebot"
    assert spec.field("Title").system and not spec.field("Priority").system
    assert spec.field("Origin").options == tuple(
        OptionSpec(name=v, value=v) for v in ("webchat", "WhatsApp", "Voice", "Email")
    )
    assert spec.field("Case reason").options == ()
    assert spec.field("Contact").options is None
    assert spec.template.required == ("Title", "Description", "Contact", "Priority")


def test_template_naming_an_undefined_field_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, template={"name": "t", "required": ["Title", "Shoe size"]})

    with pytest.raises(DomainFileError, match="Shoe size"):
        load_domain_spec(path)


def test_field_defined_twice_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    path = write(tmp_path, custom_fields=[*raw["custom_fields"], raw["custom_fields"][0]])

    with pytest.raises(DomainFileError, match="more than once: Description"):
        load_domain_spec(path)


def test_unknown_field_type_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(DOMAIN_FILE.read_text(encoding="utf-8"))
    raw["custom_fields"][2]["type"] = "Shoe"
    path = write(tmp_path, custom_fields=raw["custom_fields"])

    with pytest.raises(DomainFileError, match="fields.13.type") as caught:
        load_domain_spec(path)

    assert "'Shoe'" in str(caught.value)


def test_missing_file_is_a_domain_file_error(tmp_path: Path) -> None:
    with pytest.raises(DomainFileError, match="cannot read"):
        load_domain_spec(tmp_path / "none.yaml")
