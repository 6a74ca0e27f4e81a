"""Keeping stored evaluation results current: load events, evaluate, store, claim work."""
