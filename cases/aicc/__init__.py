"""Huawei AICC's case API over httpx."""
