"""The Amazon SES v2 stand-in: SendEmail over botocore's sesv2 model, with what it sent kept."""
