"""A stand-in for Amazon Connect Cases: its REST-JSON API over SQLite, true to botocore's model.

``standin.create_stand_in`` is the entry point; ``routes`` maps operations to handlers in
``cases``, ``search``, ``related``, ``configuration`` and (setting a domain up)
``domain_setup`` and ``template_setup``; ``seed`` loads the domain's YAML.
"""
