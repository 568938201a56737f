"""Versioned prompt files, shipped as package data."""
