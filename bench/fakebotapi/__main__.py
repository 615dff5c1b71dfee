"""Run the fake Bot API standalone: ``python -m bench.fakebotapi --port 8081``.

Point the bot at it with ``TELEGRAM_API_URL=http://127.0.0.1:8081`` and drive the user side
through the /_test/ control API (see bench/fakebotapi/control.py), e.g.::

    curl -s localhost:8081/_test/send -d '{"user_id": 1, "text": "/start"}'
    curl -s 'localhost:8081/_test/messages?chat_id=1'
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from .server import FakeBotAPI


async def _serve(args: argparse.Namespace) -> None:
    server = FakeBotAPI(
        token=args.token or "123456:TEST",
        accept_any_token=args.token is None,
        strict_html=not args.lenient_html,
    )
    base_url = await server.start(host=args.host, port=args.port)
    token_note = args.token or "any token"
    print(f"fake Bot API on {base_url} ({token_note}); control API at {base_url}/_test/")
    print("Ctrl-C to stop", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fakebotapi", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--token", help="accept only this bot token (default: any token)")
    parser.add_argument(
        "--lenient-html",
        action="store_true",
        help="accept a bare '&' like Telegram does instead of rejecting it",
    )
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args))


if __name__ == "__main__":
    main()
