"""What the actions share: rasa-sdk's typed surface, services, access rules, template, slots."""
