"""Licence contracts: rendered on activation, stored with their SHA-256, downloadable by the two parties."""
