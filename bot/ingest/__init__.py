"""Ingestion of resolutions: file → text → ParsedDocument (no Telegram, no storage)."""
