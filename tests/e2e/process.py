"""The real bot process (``python -m bot run``) against the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Awaitable
from pathlib import Path

from bench.fakebotapi import FakeBotAPI
from bot.paths import PROJECT_DIR

E2E_TOKEN = "123456:TEST-e2e"


def launch_env(environ: dict[str, str]) -> dict[str, str]:
    """The bot runs in the test's own directory (``cwd``), so a ``.env`` an operator keeps in
    the project directory is not read; the project stays importable through PYTHONPATH."""
    paths = [p for p in environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if str(PROJECT_DIR) not in paths:
        paths.append(str(PROJECT_DIR))
    return {**environ, "PYTHONPATH": os.pathsep.join(paths)}


class BotProcess:
    def __init__(self, server: FakeBotAPI, workdir: Path, **env: str) -> None:
        self.server = server
        self.workdir = workdir
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.log_path = workdir / "bot.log"

    @property
    def database_path(self) -> Path:
        return self.workdir / "bot.sqlite3"

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
        env.update(
            BOT_TOKEN=self.server.token,
            TELEGRAM_API_URL=self.server.base_url or "",
            DATABASE_PATH=str(self.database_path),
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.env)
        return launch_env(env)

    # A safety net only: readiness is an event (the first poll), and a process that dies
    # first fails the wait at once. A busy 2-core machine can take long to import aiogram.
    START_PATIENCE = 180.0

    async def start(self, timeout: float = START_PATIENCE) -> None:
        """Start and wait until the bot is long polling."""
        await self._spawn()
        await self._until_ready(self.server.wait_for_polling(timeout=timeout))

    async def start_webhook(self, timeout: float = START_PATIENCE) -> None:
        """Start in webhook mode and wait until the bot has registered its URL."""
        await self._spawn()
        await self._until_ready(self.server.wait_for_request("setWebhook", timeout=timeout))

    async def _until_ready(self, ready: Awaitable[object]) -> None:
        assert self.proc is not None
        waiting = asyncio.ensure_future(ready)
        exited = asyncio.ensure_future(self.proc.wait())
        done, _ = await asyncio.wait({waiting, exited}, return_when=asyncio.FIRST_COMPLETED)
        if waiting in done:
            exited.cancel()
            waiting.result()
            return
        waiting.cancel()
        raise AssertionError(
            f"the bot exited with {self.proc.returncode} before it was ready:\n{self.log()}"
        )

    async def _spawn(self) -> None:
        log = self.log_path.open("ab")
        self._log = log
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=str(self.workdir),
            env=self._environment(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=log,
            stderr=log,
        )

    async def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        try:
            code = await asyncio.wait_for(self.proc.wait(), timeout)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise
        finally:
            self._log.close()
        return code

    async def kill(self) -> None:
        """SIGKILL: a crash, no clean-up."""
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()
        self._log.close()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    async def wait_log(self, needle: str, count: int = 1, timeout: float = 30) -> str:
        """Wait until ``needle`` occurs ``count`` times in the log (or the process exits)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            text = self.log() if self.log_path.exists() else ""
            if text.count(needle) >= count:
                return text
            exited = self.proc is not None and self.proc.returncode is not None
            if exited or loop.time() > deadline:
                raise AssertionError(f"no {count}× {needle!r} in the log:\n{text[-3000:]}")
            await asyncio.sleep(0.05)


async def run_until_exit(env: dict[str, str], workdir: Path) -> tuple[int, str]:
    """``python -m bot run`` with ``env`` over a clean environment: (exit code, stderr)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    environ.update(DATABASE_PATH=str(workdir / "x.sqlite3"), IMPORT_SEEDS_ON_EMPTY="false")
    environ.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=str(workdir),
        env=launch_env(environ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode, err.decode()
