"""``python -m cases.provision``: create or check the Connect Cases domain, fields and template."""
