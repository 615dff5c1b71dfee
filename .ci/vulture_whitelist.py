"""Names vulture cannot see used: called by a framework, by name, or read as data.

``vulture`` (configured in pyproject.toml) reads this file with the code.  Add a name here
only with the reason it is alive; anything else it reports is dead and goes.
"""

# ruff: noqa: B018 - bare names are how vulture is told they are used

_ = object()

# Dispatched by name: the parser's line kinds (``getattr(self, f"on_{line.kind}")``) and the
# try-out terminal's commands (``getattr(self, f"cmd_{name}")``).
_.on_blank
_.on_decision
_.on_opener
_.on_recipients
_.on_procedural
_.on_preamble
_.on_section
_.on_num
_.on_sub
_.on_letter
_.on_bullet
_.cmd_exit
_.cmd_press
_.cmd_reply
_.cmd_send
_.cmd_open
_.cmd_as
_.cmd_time

# Overrides called by the standard library or aiogram: html.parser.HTMLParser's callbacks,
# aiogram's BaseSession.stream_content (and its parameters) in the try-out session.
_.handle_starttag
_.handle_endtag
_.handle_data
_.stream_content
_.chunk_size

# pydantic-settings reads model_config; sqlite3 reads row_factory; pytest reads pytestmark;
# configparser calls optionxform.
_.model_config
_.row_factory
_.pytestmark
_.optionxform

# Read as data: a Word numbering level (TypedDict key), the /healthz JSON (dataclasses.asdict),
# columns a record must accept because rows are unpacked into it (``Row(**dict(row))``).
_.legal
_.outbox_pending
_.outbox_sending
_.queued_at
_.cancelled_at
_.status_changed_at
_.last_used_at

# Set on openpyxl and python-docx objects, read by those libraries when they write the file
# (reports: bot/exports.py).
_.number_format
_.left_margin
_.right_margin
_.alignment

# An autouse fixture: pytest applies it to every test without a caller.
_._programs_only_in_slow_tests

# Addressee kinds named by no code: each is read as data (``KINDS = tuple(Kind)`` for the
# pickers and the checks; the vocabulary in content/addressee_kinds.json names them).
_.PUBLIC_CHAMBER
_.PUBLIC_COUNCIL
_.RESOURCE_CENTER
_.BUSINESS
_.MEDIA
_.EDUCATION
