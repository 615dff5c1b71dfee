"""Drive ``python -m bot try`` as a person does: type a line, read the screen, press by number.

Two screens: :class:`PipeChat` talks to the process through its stdin/stdout pipes;
:class:`TmuxChat` runs it in a real terminal (tmux) and reads what the pane shows.  Both
wait on output — a line containing the expected text — never on the clock; the timeout is
only a safety net for a loaded machine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

TIMEOUT = 120.0
GREETING = "Здравствуйте".encode()
HEADER = re.compile(r"^(?:\[(\d+)\] Бот|✎ сообщение (\d+) изменено|✎ кнопки сообщения (\d+))")


def environment(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("BOT_", "WEBHOOK_", "DATABASE_", "ADMIN_", "TELEGRAM_"))
    }
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8")
    env.pop("NO_COLOR", None)
    env["HOME"] = str(tmp_path)  # no .env or history of the developer's is read
    return env


class Chat:
    """What both screens share: a cursor into the text seen so far."""

    def __init__(self) -> None:
        self.mark = 0  # the text before this offset has been read

    def text(self) -> str:
        raise NotImplementedError

    def send(self, line: str) -> None:
        raise NotImplementedError

    def alive(self) -> bool:
        return True

    def diagnostics(self) -> str:
        """What the program said on stderr, for a failure's message."""
        return ""

    def expect(self, wanted: str, timeout: float = TIMEOUT, since: int | None = None) -> str:
        """Wait until a line after the cursor (or after ``since``: things that happen at
        once may come in either order) contains ``wanted``; move the cursor past it.
        Returns the text read (from the cursor to the end of that line)."""
        deadline = time.monotonic() + timeout
        while True:
            seen = self.text()
            start = self.mark if since is None else since
            at = seen.find(wanted, start)
            if at >= 0:
                end = seen.find("\n", at)
                end = len(seen) if end < 0 else end + 1
                if end <= len(seen) and seen.endswith("\n", 0, end):
                    chunk = seen[start:end]
                    self.mark = max(self.mark, end)
                    return chunk
            if time.monotonic() > deadline or not self.alive():
                rest = seen[self.mark :] + self.diagnostics()
                raise AssertionError(f"no {wanted!r} on the screen; after the cursor:\n{rest}")
            self.pause()

    def button(self, label: str, timeout: float = TIMEOUT) -> tuple[int, int]:
        """(message, button number) of the first button after the cursor whose label contains
        ``label``; the cursor moves past its line."""
        pattern = re.compile(r"\[(\d+)\] ([^\[\n]*)")
        deadline = time.monotonic() + timeout
        while True:
            seen = self.text()
            lines = seen[self.mark :].splitlines(keepends=True)
            message, offset = self._header_before(seen, self.mark), self.mark
            for line in lines:
                offset += len(line)
                header = HEADER.match(line)
                if header:
                    message = int(next(g for g in header.groups() if g))
                    continue
                if not line.endswith("\n") or message is None:
                    continue
                for found in pattern.finditer(line):
                    if label in found.group(2):
                        self.mark = offset
                        return message, int(found.group(1))
            if time.monotonic() > deadline or not self.alive():
                rest = seen[self.mark :] + self.diagnostics()
                raise AssertionError(f"no button {label!r}; after the cursor:\n{rest}")
            self.pause()

    @staticmethod
    def _header_before(seen: str, at: int) -> int | None:
        """The message whose lines are being read at offset ``at``."""
        found = None
        for line in seen[:at].splitlines():
            header = HEADER.match(line)
            if header:
                found = int(next(g for g in header.groups() if g))
        return found

    def press(self, label: str) -> None:
        message, number = self.button(label)
        self.send(f"/press {message} {number}")

    def pause(self) -> None:
        time.sleep(0.05)  # polling the screen: the text decides when to go on


class PipeChat(Chat):
    def __init__(self, tmp_path: Path, *args: str) -> None:
        super().__init__()
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", "try", "--files", str(tmp_path / "files"), *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=environment(tmp_path),
        )
        self._out = bytearray()
        self.greeting_seconds: float | None = None  # from the start to the bot's greeting
        self._err = bytearray()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pumps = [
            threading.Thread(target=self._pump, args=(stream, buffer), daemon=True)
            for stream, buffer in ((self.proc.stdout, self._out), (self.proc.stderr, self._err))
        ]
        for pump in self._pumps:
            pump.start()

    def _pump(self, stream, buffer: bytearray) -> None:
        while chunk := stream.read1(65536):
            with self._changed:
                buffer.extend(chunk)
                if self.greeting_seconds is None and GREETING in buffer:
                    self.greeting_seconds = time.monotonic() - self.started
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def text(self) -> str:
        with self._lock:
            return self._out.decode("utf-8", errors="replace")

    def raw(self) -> bytes:
        with self._lock:
            return bytes(self._out)

    def errors(self) -> str:
        with self._lock:
            return self._err.decode("utf-8", errors="replace")

    def diagnostics(self) -> str:
        return f"\n--- stderr ---\n{self.errors()[-3000:]}"

    def alive(self) -> bool:
        return self.proc.poll() is None

    def pause(self) -> None:
        with self._changed:
            self._changed.wait(0.5)  # woken by new output

    def send(self, line: str) -> None:
        self.proc.stdin.write((line + "\n").encode())
        self.proc.stdin.flush()

    def close(self, timeout: float = TIMEOUT) -> int:
        """End of input, as at the end of a script; the exit code."""
        if not self.proc.stdin.closed:
            self.proc.stdin.close()
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            for pump in self._pumps:
                pump.join(timeout)
            self.proc.stdout.close()
            self.proc.stderr.close()


class TmuxChat(Chat):
    """A real terminal: tmux runs the program in a pane; keys go in, the pane is read."""

    def __init__(self, tmp_path: Path, *args: str) -> None:
        super().__init__()
        self.tmux = shutil.which("tmux")
        self.socket = str(tmp_path / "tmux.sock")
        command = " ".join(
            [
                sys.executable,
                "-m",
                "bot",
                "try",
                "--files",
                str(tmp_path / "files"),
                *args,
                "2>",
                str(tmp_path / "stderr.log"),
            ]
        )
        self.log = tmp_path / "stderr.log"
        subprocess.run(
            [
                *(self.tmux, "-S", self.socket, "-u", "-f", os.devnull, "new-session", "-d"),
                *("-s", "try", "-x", "200", "-y", "50", "-c", str(tmp_path), command),
            ],
            check=True,
            env=environment(tmp_path),
        )
        self._last = ""

    def _tmux(self, *args: str) -> str:
        result = subprocess.run(
            [self.tmux, "-S", self.socket, *args], capture_output=True, text=True, check=False
        )
        return result.stdout

    def text(self) -> str:
        # The whole history, wrapped lines joined; the last line is the prompt being typed.
        screen = self._tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "try")
        if screen:
            self._last = screen.rstrip("\n") + "\n"
        return self._last

    def alive(self) -> bool:
        return "try" in self._tmux("list-sessions", "-F", "#{session_name}")

    def send(self, line: str) -> None:
        self._tmux("send-keys", "-t", "try", "-l", line)
        self._tmux("send-keys", "-t", "try", "Enter")

    def diagnostics(self) -> str:
        if not self.log.exists():
            return ""
        return "\n--- stderr ---\n" + self.log.read_text(errors="replace")[-3000:]

    def close(self) -> None:
        self._tmux("kill-server")
