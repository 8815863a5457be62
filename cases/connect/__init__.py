"""Amazon Connect Cases over boto3, with Customer Profiles and Amazon Connect's attached files."""
