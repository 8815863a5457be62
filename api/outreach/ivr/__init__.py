"""The voice IVR's handoff: the signed webhook and the Lambda function a contact flow calls."""
