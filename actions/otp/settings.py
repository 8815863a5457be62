"""Settings of the one-time codes, inherited by the action server's ``ActionSettings``.

Codes are offered only when there is a way to send one: an email sender (``OTP_EMAIL_SENDER``)
or a phone channel (``OTP_PHONE_CHANNEL``). Without either, a case the customer may not see is
answered exactly as before, like a reference that names no case.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings


class OtpSettings(BaseSettings):
    """How one-time codes are made, kept, limited and sent; every field an environment variable."""

    #: SQLite file of the codes waiting to be typed and of the requests counted for the limits;
    #: unused with ACTIONS_DATABASE_URL (``cases.settings``), where every action server shares them
    otp_db: Path = Path("var/otp.sqlite3")
    #: key of the keyed hash a code is kept as; unset = a random key per process, so a code
    #: asked for from one action-server process is refused by another (set it when several run)
    otp_hash_key: SecretStr | None = None
    #: the From address of code emails (an identity verified in SES); unset = no codes by email
    otp_email_sender: str | None = None
    #: where the SES v2 client goes (the sandbox's ``/ses``); unset = real AWS
    ses_endpoint_url: str | None = None
    #: ``whatsapp``: codes for a phone number go out on WhatsApp through the gateway (which needs
    #: its code template, or failing that its notice template, to reach a number outside the
    #: 24-hour window);
    #: ``none``: only email addresses get codes
    otp_phone_channel: Literal["none", "whatsapp"] = "none"
    #: seconds a code works for
    otp_code_ttl_seconds: float = Field(default=600.0, gt=0)
    #: wrong codes allowed before the code stops working
    otp_max_tries: int = Field(default=5, ge=1)
    #: codes one case reference may be asked for in an hour (whether or not it names a case)
    otp_per_case_per_hour: int = Field(default=3, ge=1)
    #: codes one conversation may ask for in an hour
    otp_per_sender_per_hour: int = Field(default=5, ge=1)
