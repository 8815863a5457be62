"""A local stand-in for Amazon Connect Customer Profiles, speaking its REST-JSON API over SQLite.

It serves what the assistant needs to fill a case's ``customer_id``: finding profiles by their
search keys, creating them, describing a domain and listing a profile's case objects.
"""
