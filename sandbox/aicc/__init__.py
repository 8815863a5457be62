"""A local stand-in for the Huawei AICC case API (token interface and case operations)."""
