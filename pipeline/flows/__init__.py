"""Thin stage entry points: params -> inputs -> one core call -> envelope -> validate -> write."""
