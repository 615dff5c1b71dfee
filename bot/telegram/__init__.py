"""Telegram plumbing: the only part of ``bot/`` that imports aiogram.

Assembly of Bot and Dispatcher (``app.py``), the runner (``runner.py``), the FSM storage
adapter, the delivery worker that sends the outbox through the Bot API, the retry session
middleware and the command menu. The domain services around it return plain data.
"""
