"""Pieces shared by stand-ins of AWS services speaking REST-JSON (Connect Cases, Customer Profiles).

The service's botocore model drives everything: which routes exist, how a request's members are
read from the path, query string and body, and how they are validated.
"""
