"""``python -m privacy.erase --phone +447700900123 --email ada@example.com``: one person erased.

Normalises the phone and email as the assistant does (``actions.kit.normalise``, numbers
without a +code in ``DEFAULT_PHONE_REGION``), then removes, store by store: Rasa's
conversations that are theirs (their WhatsApp and Twilio senders, and any conversation whose
events hold their number or address: a webchat form's contact, a signed identity), the files
those conversations sent, their queued and buried jobs, delivery and outreach records, webchat
notices, outbox submissions (the SQLite file's, and PostgreSQL's with ``ACTIONS_DATABASE_URL``)
and one-time codes. It prints how many entries went from each store, then the case references
the back end holds for the contact, which it cannot remove: an agent deletes or redacts those in
the case system. Safe while casebot runs; linear in what the stores hold. Exit status: 0 done, 1
a store could not be erased, 2 a contact that does not parse.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError
from dotenv import load_dotenv

from actions.kit.normalise import normalise_email, normalise_phone
from actions.kit.settings import ActionSettings
from api.settings import GatewaySettings
from cases.aicc.settings import AiccSettings
from cases.backend import BackendError, CaseBackend
from cases.settings import CaseSettings
from common.erasure import Person
from privacy.cases import BACKEND_NAMES, case_references, profile_ids
from privacy.places import Places, places_of
from privacy.stores import (
    TrackerUnreachable,
    erase_actions,
    erase_conversations,
    erase_gateway,
    remove_media,
)

if TYPE_CHECKING:
    from mypy_boto3_customer_profiles import CustomerProfilesClient

ENV_FILE = ".env"


@dataclass
class Report:
    """What an erasure removed, per store, and what it could not."""

    removed: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    #: the back end's name and the references of the person's cases in it
    backend: str = ""
    cases: list[str] = field(default_factory=list)
    #: the Customer Profiles domain searched, and the ids of the person's profiles in it
    profile_domain: str = ""
    profiles: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """The report as the command prints it."""
        shown = [f"  {store}: {count}" for store, count in self.removed.items()]
        shown.append(
            "  AICC idempotency keys: 0 (each holds a digest of its draft, never a contact)"
        )
        shown += [f"  NOT ERASED {why}" for why in self.failed]
        if self.cases:
            shown.append(f"Cases in {self.backend} whose contact is theirs (not removed):")
            shown += [f"  {ref}" for ref in self.cases]
            shown.append(
                f"An agent must delete these cases or redact their contact in {self.backend}."
            )
        elif self.backend:
            shown.append(f"No case in {self.backend} has this contact.")
        if self.profiles:
            shown.append(
                f"Customer Profiles profiles in domain {self.profile_domain} with this contact "
                "(not removed):"
            )
            shown += [f"  {profile}" for profile in self.profiles]
            shown.append(
                "An agent must delete these profiles in Customer Profiles (DeleteProfile)."
            )
        elif self.profile_domain:
            shown.append(f"No profile in Customer Profiles domain {self.profile_domain}.")
        return ["Removed:", *shown]


async def erase(
    person: Person,
    places: Places,
    backend: CaseBackend | None,
    name: str,
    spellings: tuple[str, ...] = (),
    profiles: tuple[CustomerProfilesClient, str] | None = None,
) -> Report:
    """Erase the person from every store in ``places``; list their cases in ``backend`` and
    their profiles in ``profiles`` (a client and its domain), searched for ``spellings`` of the
    contact too."""
    report = Report(backend=name)
    if places.tracker is not None:
        try:
            erased = await asyncio.to_thread(
                erase_conversations, person, places.tracker, places.rasa_python
            )
        except (TrackerUnreachable, OSError) as exc:
            report.failed.append(f"conversations: {exc}")
        else:
            report.removed["conversations"] = len(erased.conversations)
            report.removed["conversation events"] = erased.events
            report.removed["media files"] = remove_media(erased.media_paths, places.media_dirs)
            # their webchat conversations, found by what their events hold, are theirs too
            person = person.with_conversations(erased.conversations)
    report.removed.update(await erase_gateway(person, places))
    outbox, unreached = await asyncio.to_thread(erase_actions, person, places)
    report.removed.update(outbox)
    report.failed += unreached
    if backend is not None:
        try:
            report.cases = await case_references(backend, person, spellings)
        except BackendError as exc:
            report.failed.append(f"case back end not searched ({type(exc).__name__}): run again")
    if profiles is not None:
        client, report.profile_domain = profiles
        try:
            report.profiles = await asyncio.to_thread(
                profile_ids, client, report.profile_domain, person, spellings
            )
        except (ClientError, BotoCoreError) as exc:
            report.failed.append(f"Customer Profiles not searched ({type(exc).__name__})")
    return report


def person_of(phone: str | None, email: str | None, region: str) -> Person:
    """The person those contacts name, normalised as the assistant keeps them (the address
    lower-cased, as every store is searched without regard to case)."""
    normal_phone = None if phone is None else normalise_phone(phone, region)
    normal_email = None if email is None else normalise_email(email)
    if phone is not None and normal_phone is None:
        raise ValueError(f"not a phone number: {phone!r}")
    if email is not None and normal_email is None:
        raise ValueError(f"not an email address: {email!r}")
    return Person(normal_phone, None if normal_email is None else normal_email.lower())


def main(argv: list[str], environ: Mapping[str, str] = os.environ) -> int:
    """Run the command; the settings come from the environment and ``.env``."""
    parser = argparse.ArgumentParser(prog="python -m privacy.erase", description=__doc__)
    parser.add_argument("--phone", help="the person's phone number (E.164, or national)")
    parser.add_argument("--email", help="the person's email address")
    parser.add_argument("--skip-cases", action="store_true", help="do not search the back end")
    args = parser.parse_args(argv)
    if args.phone is None and args.email is None:
        parser.error("give --phone, --email or both")
    # the processes get .env from honcho; a shell does not, so it is read here the same way
    load_dotenv(ENV_FILE, override=False)
    actions = ActionSettings()
    try:
        person = person_of(args.phone, args.email, actions.default_phone_region)
    except ValueError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    cases = CaseSettings()
    places = places_of(GatewaySettings(), actions, cases, AiccSettings(), environ)
    backend, name, profiles = None, "", None
    if not args.skip_cases:
        from cases.connect.profiles import get_profiles_client
        from cases.connect.settings import get_connect_settings
        from cases.factory import get_backend

        kind = cases.case_backend
        name = BACKEND_NAMES[kind]
        backend = get_backend()
        domain = get_connect_settings().customer_profiles_domain
        if kind == "connect" and domain:
            profiles = (get_profiles_client(), domain)
    # a case keeps the address as the assistant normalised it, its local part's case and all
    kept_as = normalise_email(args.email) if args.email is not None else None
    spellings = (kept_as,) if kept_as is not None else ()
    report = asyncio.run(erase(person, places, backend, name, spellings, profiles))
    sys.stdout.write("\n".join(report.lines()) + "\n")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
