"""Case back ends: one ``CaseBackend`` protocol, the Connect Cases and AICC adapters."""
