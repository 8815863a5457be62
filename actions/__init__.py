"""The rasa-sdk action server of casebot: case forms, case actions and their back ends."""
