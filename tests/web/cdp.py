"""A headless Chromium driven over the DevTools protocol (websocket via aiohttp).

Only what the browser test needs: open a page, wait for it to load, run a script, set a file
input, take a screenshot.  Every wait is for an event from the browser, with a generous
timeout as a safety net.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import re
import shutil
from pathlib import Path
from typing import Any

import aiohttp

TIMEOUT = 60.0


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self._ids = itertools.count(1)
        self._pending: dict[int, asyncio.Future] = {}
        self._waiters: list[tuple[str, asyncio.Future]] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            data = json.loads(message.data)
            if "id" in data and data["id"] in self._pending:
                future = self._pending.pop(data["id"])
                if "error" in data:
                    future.set_exception(RuntimeError(data["error"]))
                else:
                    future.set_result(data.get("result", {}))
            elif "method" in data:
                for waiter in [w for w in self._waiters if w[0] == data["method"]]:
                    self._waiters.remove(waiter)
                    if not waiter[1].done():
                        waiter[1].set_result(data.get("params", {}))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        message_id = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._pending[message_id] = future
        await self.ws.send_json({"id": message_id, "method": method, "params": params})
        return await asyncio.wait_for(future, TIMEOUT)

    def expect(self, event: str) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        self._waiters.append((event, future))
        return future

    async def goto(self, url: str) -> None:
        loaded = self.expect("Page.loadEventFired")
        await self.send("Page.navigate", url=url)
        await asyncio.wait_for(loaded, TIMEOUT)

    async def evaluate(self, expression: str) -> Any:
        result = await self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        return result["result"].get("value")

    async def click_and_wait(self, selector: str) -> None:
        loaded = self.expect("Page.loadEventFired")
        await self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
        await asyncio.wait_for(loaded, TIMEOUT)

    async def set_file(self, selector: str, path: Path) -> None:
        root = await self.send("DOM.getDocument")
        node = await self.send(
            "DOM.querySelector", nodeId=root["root"]["nodeId"], selector=selector
        )
        await self.send("DOM.setFileInputFiles", nodeId=node["nodeId"], files=[str(path)])

    async def screenshot(self) -> bytes:
        shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
        return base64.b64decode(shot["data"])

    async def close(self) -> None:
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._reader
        await self.ws.close()


@contextlib.asynccontextmanager
async def browser(profile: Path, width: int = 390, height: int = 844):
    """A phone-sized page of a fresh headless Chromium; the process is ended on the way out."""
    process = await asyncio.create_subprocess_exec(
        chromium() or "chromium",
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--lang=ru-RU",
        "--no-default-browser-check",
        "--remote-debugging-address=127.0.0.1",
        "--remote-debugging-port=0",
        f"--user-data-dir={profile}",
        f"--window-size={width},{height}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    session = aiohttp.ClientSession()
    page = None
    try:
        endpoint = await asyncio.wait_for(_devtools_port(process), TIMEOUT)
        async with session.get(f"http://127.0.0.1:{endpoint}/json/list") as response:
            targets = await response.json()
        target = next(t for t in targets if t["type"] == "page")
        ws = await session.ws_connect(target["webSocketDebuggerUrl"], max_msg_size=0)
        page = Page(ws)
        await page.send("Page.enable")
        await page.send("DOM.enable")
        await page.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=True,
        )
        yield page
    finally:
        if page is not None:
            await page.close()
        await session.close()
        if process.returncode is None:
            process.terminate()
        try:
            await asyncio.wait_for(process.wait(), TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()


async def _devtools_port(process: asyncio.subprocess.Process) -> int:
    """Chromium says «DevTools listening on ws://127.0.0.1:PORT/…» on stderr once it listens."""
    assert process.stderr is not None
    while line := await process.stderr.readline():
        found = re.search(rb"DevTools listening on ws://[^:]+:(\d+)/", line)
        if found:
            # Keep reading stderr in the background so the browser never blocks on it.
            asyncio.get_running_loop().create_task(_drain(process.stderr))
            return int(found.group(1))
    raise RuntimeError("chromium exited before it opened the DevTools port")


async def _drain(stream: asyncio.StreamReader) -> None:
    while await stream.read(65536):
        pass
