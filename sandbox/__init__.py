"""Local stand-ins for the outside services casebot talks to, all served by ``sandbox.app``."""
