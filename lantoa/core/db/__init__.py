"""Lantoa's database backends (Django's, with what the deployment needs)."""
