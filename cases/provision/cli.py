"""Set a Connect Cases domain up from ``data/``, idempotently.

    python -m cases.provision connect --dry-run|--apply [--domain-name NAME]
        [--instance-id ID] [--file data/connect_cases/domain.yaml]

``--dry-run`` prints the plan and calls read operations only; ``--apply`` makes the changes and
prints what it did; run again, it changes nothing. With ``--instance-id`` the domain is also
attached to that Amazon Connect instance. Ends with the ``CONNECT_CASES_DOMAIN_ID`` and
``CONNECT_CASES_TEMPLATE_ID`` lines for ``.env``. Exit status: 0 ok, 1 errors, 2 usage.

The Connect Cases client is the case back end's (``CONNECT_CASES_ENDPOINT_URL``,
``AWS_DEFAULT_REGION``); ``CONNECT_ENDPOINT_URL`` points the Amazon Connect client elsewhere.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from cases.connect.factory import get_connect_client
from cases.connect.settings import get_connect_settings
from cases.provision.apply import Outcome, provision_domain
from cases.provision.connect import IntegrationOutcome, provision_integration
from cases.provision.report import domain_lines, env_lines, integration_lines, summary_line
from cases.provision.spec import DomainFileError, load_domain_spec
from cases.provision.state import ProvisionError

if TYPE_CHECKING:
    from mypy_boto3_connect.client import ConnectClient
    from mypy_boto3_connectcases.client import ConnectCasesClient

DEFAULT_FILE = Path("data/connect_cases/domain.yaml")
EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The command line: ``connect`` and its options."""
    parser = argparse.ArgumentParser(
        prog="python -m cases.provision",
        description="Set a case back end up from the files in data/, idempotently.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    connect = commands.add_parser(
        "connect", help="an Amazon Connect Cases domain (and its Amazon Connect instance)"
    )
    mode = connect.add_mutually_exclusive_group(required=True)
    mode.add_argument(
        "--dry-run", action="store_true", help="print the plan; only read from the service"
    )
    mode.add_argument("--apply", action="store_true", help="make the changes and print them")
    connect.add_argument("--domain-name", help="the domain's name (default: the file's)")
    connect.add_argument(
        "--instance-id", help="also attach the domain to this Amazon Connect instance"
    )
    connect.add_argument(
        "--file", type=Path, default=DEFAULT_FILE, help=f"the domain file (default: {DEFAULT_FILE})"
    )
    return parser


def connect_client() -> ConnectClient:
    """A boto3 Amazon Connect client; ``CONNECT_ENDPOINT_URL`` points it elsewhere."""
    # a blank CONNECT_ENDPOINT_URL means real AWS (boto3 refuses an empty endpoint)
    endpoint_url = os.environ.get("CONNECT_ENDPOINT_URL") or None
    return boto3.client("connect", **get_connect_settings().client_options(endpoint_url))


def main(
    argv: Sequence[str] | None = None,
    *,
    cases: ConnectCasesClient | None = None,
    connect: ConnectClient | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the command; return its exit status."""
    out, err = out or sys.stdout, err or sys.stderr
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    try:
        spec = load_domain_spec(args.file, args.domain_name)
    except DomainFileError as exc:
        _write(err, [f"error: {exc}"])
        return EXIT_USAGE
    try:
        outcome = provision_domain(cases or get_connect_client(), spec, apply=args.apply)
    except (ClientError, BotoCoreError, ProvisionError) as exc:
        _write(err, [f"error: {exc}"])
        return EXIT_ERRORS
    lines = domain_lines(outcome, str(args.file))
    ok = outcome.ok
    integration = None
    if args.instance_id and not ok:
        lines.append(f"Amazon Connect instance {args.instance_id}: left until the errors go")
    elif args.instance_id:
        domain_arn = outcome.domain.domain_arn if outcome.domain else None
        try:
            integration = provision_integration(
                connect or connect_client(), args.instance_id, domain_arn, apply=args.apply
            )
        except (ClientError, BotoCoreError) as exc:
            lines.append(f"Amazon Connect instance {args.instance_id}: error: {exc}")
            ok = False
        else:
            lines += integration_lines(integration)
            ok = integration.ok
    lines.append(summary_line(_changes(outcome, integration), args.apply, ok))
    domain_id = outcome.domain.domain_id if outcome.domain else None
    lines += ["", *env_lines(domain_id, outcome.template_id)]
    _write(out, lines)
    return EXIT_OK if ok else EXIT_ERRORS


def _changes(outcome: Outcome, integration: IntegrationOutcome | None) -> int:
    if outcome.applied:
        count = len(outcome.done)
    else:
        count = len(outcome.plan.steps)
    if integration is not None:
        if integration.applied:
            count += sum(not done.already for done in integration.done)
        else:
            count += len(integration.plan.steps)
    return count


def _write(out: TextIO, lines: list[str]) -> None:
    out.write("\n".join(lines) + "\n")
