"""How long the gateway keeps what it stores, and how often it looks.

Kept apart from the rest of ``GatewaySettings``, which inherits them, so that they read as
one concern; the housekeeper (``api.jobs.retention``) and each store's purge read them.
"""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings


class RetentionSettings(BaseSettings):
    """Days each kind of record is kept; every field is an environment variable."""

    media_retention_days: float = Field(
        default=7.0,
        gt=0,
        description="Days a file users send is kept in WHATSAPP_MEDIA_DIR when no case took "
        "it (the action server removes one as soon as it is attached).",
    )
    buried_job_retention_days: float = Field(
        default=30.0, gt=0, description="Days a job given up on (buried) is kept for inspection."
    )
    delivery_record_retention_days: float = Field(
        default=30.0,
        gt=0,
        description="Days WhatsApp and Twilio delivery receipts, send outcomes and offered "
        "choices are kept.",
    )
    outreach_record_retention_days: float = Field(
        default=30.0,
        gt=0,
        description="Days the records of IVR handoffs, case notices and notices about queued "
        "cases are kept.",
    )
    webchat_inbox_retention_days: float = Field(
        default=7.0,
        gt=0,
        description="Days a webchat notice waits for the conversation's next turn.",
    )
    retention_purge_every_seconds: float = Field(
        default=3600.0, gt=0, description="How often the gateway removes what it no longer keeps."
    )
