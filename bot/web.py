"""The web server of the public page, the officials' web form and the calendar feeds
(issue 14 §3–4): an aiohttp app in the bot's own process, on WEB_HOST:WEB_PORT when
WEB_ENABLED.  Thin: it parses the request, calls the services, renders a Jinja2 template
from ``content/web/`` (autoescaped).

The officials' form: ``/o/<token>`` is a personal link (``bot/weblinks.py``).  Posting a report
needs the CSRF token of the form (double submit: a SameSite=Strict cookie and a hidden field);
a file goes to WEB_UPLOAD_DIR in chunks and is refused past MAX_DOCUMENT_MB.
"""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import BodyPartReader, web
from markupsafe import Markup

from bot.calendar import deadline_feed
from bot.container import Services
from bot.errors import NotFound, Stale, UserError
from bot.formatting import human_date, shorten
from bot.localtime import zone_for
from bot.paths import CONTENT_DIR
from bot.progress import STATES, Counts
from bot.public import RecommendationPage
from bot.reporting import Evidence
from bot.settings import port_in_use
from bot.texts import plural
from bot.titles import readable_title
from bot.uploads import TooLarge, UploadWriter, clean_filename
from bot.views import deadline_text, describe_entry, is_overdue, status_label
from bot.weblinks import WebLinkInfo
from storage.statuses import STATUSES
from storage.web import Deadlines

log = logging.getLogger(__name__)

SERVICES = web.AppKey("services", Services)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
TEMPLATES = CONTENT_DIR / "web"
CSRF_COOKIE = "rt_csrf"
FIELD_LIMIT = 16 * 1024  # characters of one text field (a comment is at most 2000)
CHUNK = 64 * 1024
URL_RE = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
# Texts of the chat that tell how to go on in the chat; the form says it its own way.
FORM_TEXTS = {
    "report.reason_required": "web.reason_required",
    "report.same_status": "web.same_status",
    "report.empty_comment": "web.empty_comment",
}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a personal link never leaks through a click
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:;"
        " form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
}


class Refused(Exception):
    """A request answered with an error page (a link that does not work, a missing page)."""

    def __init__(self, status: int, key: str, **params: Any) -> None:
        super().__init__(key)
        self.status = status
        self.key = key
        self.params = params


# --- template helpers -------------------------------------------------------------------


def region_href(region: str) -> str:
    return f"/r/{quote(region, safe='')}"


def region_calendar_href(region: str) -> str:
    return f"/calendar/region/{quote(region, safe='')}.ics"


def page_href(path: str, number: int, **params: Any) -> str:
    query = "&".join(f"{k}={quote(str(v))}" for k, v in params.items() if v is not None)
    extra = [query] if query else []
    if number > 1:
        extra.append(f"page={number}")
    return path + ("?" + "&".join(extra) if extra else "")


def share_done(counts: Counts) -> int | None:
    """The share done: ``Counts.percent_done``, the same figure the exports show."""
    return counts.percent_done


def _environment(services: Services) -> dict[str, Any]:
    texts = services.texts

    def t(key: str, **params: Any) -> Markup:
        # Texts escape what they substitute: their output is safe markup.
        return Markup(texts(key, **params))

    def state_label(state: str) -> str:
        return texts.plain(f"web.state_{state}")

    return {
        "t": t,
        "plural": plural,
        "human_date": human_date,
        "shorten": shorten,
        "title": readable_title,
        "status_label": lambda s: status_label(texts, s),
        "state_label": state_label,
        "states": STATES,
        "deadline_text": lambda rec, today: Markup(deadline_text(texts, rec, today)),
        "is_overdue": is_overdue,
        "entry": lambda e, zone: Markup(describe_entry(texts, e, zone, public=True)),
        "region_href": region_href,
        "region_calendar_href": region_calendar_href,
        "page_href": page_href,
        "share_done": share_done,
    }


def render(
    request: web.Request, name: str, context: dict[str, Any], status: int = 200
) -> web.Response:
    response: web.Response = aiohttp_jinja2.render_template(name, request, context, status=status)
    return response


def _services(request: web.Request) -> Services:
    return request.app[SERVICES]


def _page(request: web.Request) -> int:
    value = request.query.get("page", "1")
    return int(value) if value.isdigit() and len(value) < 7 else 1


def _int(request: web.Request, name: str) -> int:
    value = request.match_info[name]
    if not value.isdigit() or len(value) > 18:
        raise Refused(404, "web.not_found")
    return int(value)


# --- public pages -----------------------------------------------------------------------


async def index(request: web.Request) -> web.StreamResponse:
    regions = await _services(request).public.regions()
    return render(request, "index.html", {"regions": regions})


async def region_page(request: web.Request) -> web.StreamResponse:
    page = await _services(request).public.region(request.match_info["region"], _page(request))
    if page is None:
        raise Refused(404, "web.no_region")
    return render(request, "region.html", {"p": page})


async def resolution_page(request: web.Request) -> web.StreamResponse:
    addressee = request.query.get("a", "")
    addressee_id = int(addressee) if addressee.isdigit() and len(addressee) < 18 else None
    page = await _services(request).public.resolution(
        _int(request, "id"), _page(request), addressee_id
    )
    if page is None:
        raise Refused(404, "web.not_found")
    chosen = next((b for b in page.bodies if b.addressee_id == addressee_id), None)
    return render(request, "resolution.html", {"p": page, "chosen": chosen})


async def recommendation_page(request: web.Request) -> web.StreamResponse:
    page = await _services(request).public.recommendation(_int(request, "id"))
    if page is None:
        raise Refused(404, "web.not_found")
    return render(request, "recommendation.html", {"p": page})


def _calendar_response(body: bytes, filename: str) -> web.Response:
    response = web.Response(body=body, content_type="text/calendar", charset="utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers["Cache-Control"] = "max-age=900"
    return response


async def _feed(services: Services, name: str, region: str | None, deadlines: Deadlines) -> bytes:
    base = services.settings.public_url
    items, last_reports = deadlines
    return deadline_feed(
        name,
        zone_for(region, services.settings.default_timezone).key,
        items,
        uid_domain=urlsplit(base).hostname or "resolution-tracker",
        status_label=lambda s: status_label(services.texts, s),
        url_of=lambda rec_id: f"{base}/rec/{rec_id}" if base else None,
        last_reports=last_reports,
    )


async def region_calendar(request: web.Request) -> web.StreamResponse:
    services = _services(request)
    page = await services.public.region(request.match_info["region"])
    if page is None:
        raise Refused(404, "web.no_region")
    name = services.texts.plain("web.calendar_name", name=page.region)
    items = await services.public.region_deadlines(page.region)
    return _calendar_response(await _feed(services, name, page.region, items), "region.ics")


async def addressee_calendar(request: web.Request) -> web.StreamResponse:
    services = _services(request)
    found = await services.public.addressee(_int(request, "id"))
    if found is None:
        raise Refused(404, "web.not_found")
    addressee, document = found
    name = services.texts.plain("web.calendar_name", name=addressee.canonical)
    items = await services.public.addressee_deadlines(addressee.id)
    body = await _feed(services, name, document.region, items)
    return _calendar_response(body, f"addressee-{addressee.id}.ics")


# --- the officials' form ----------------------------------------------------------------


async def _link(request: web.Request) -> WebLinkInfo:
    try:
        return await _services(request).weblinks.open(request.match_info["token"])
    except (NotFound, Stale) as error:  # gone for good: 404; revoked or expired: 410
        raise Refused(404 if isinstance(error, NotFound) else 410, error.key) from None


def _csrf(request: web.Request) -> str:
    value = request.cookies.get(CSRF_COOKIE, "")
    return value if 32 <= len(value) <= 64 else secrets.token_urlsafe(32)


def _with_csrf(request: web.Request, response: web.Response, token: str) -> web.Response:
    if request.cookies.get(CSRF_COOKIE) != token:
        response.set_cookie(
            CSRF_COOKIE,
            token,
            path="/o/",
            httponly=True,
            samesite="Strict",
            secure=_services(request).settings.public_url.startswith("https://"),
        )
    response.headers["Cache-Control"] = "no-store"
    return response


async def official_list(request: web.Request) -> web.StreamResponse:
    services = _services(request)
    info = await _link(request)
    await services.weblinks.touch(info)
    page = await services.public.resolution(
        info.addressee.document_id, _page(request), info.addressee.id
    )
    if page is None:
        raise Refused(404, "web.not_found")
    response = render(request, "official.html", {"info": info, "p": page, "token": _token(request)})
    response.headers["Cache-Control"] = "no-store"
    return response


def _token(request: web.Request) -> str:
    return request.match_info["token"]


async def _subject(request: web.Request, info: WebLinkInfo) -> RecommendationPage:
    page = await _services(request).public.recommendation(_int(request, "id"))
    if page is None or info.addressee.id not in {a.id for a in page.addressees}:
        raise Refused(404, "web.not_found")
    return page


@dataclass
class FormInput:
    fields: dict[str, str] = field(default_factory=dict)
    upload: UploadWriter | None = None
    filename: str | None = None
    too_large: bool = False

    def get(self, name: str) -> str:
        return self.fields.get(name, "")

    def discard(self) -> None:
        if self.upload is not None:
            self.upload.discard()
            self.upload = None


async def _form_page(
    request: web.Request,
    info: WebLinkInfo,
    page: RecommendationPage,
    *,
    form: FormInput | None = None,
    error: str | None = None,
    status: int = 200,
) -> web.StreamResponse:
    csrf = _csrf(request)
    statuses = [s for s in STATUSES if s != page.recommendation.status]
    context = {
        "info": info,
        "p": page,
        "token": _token(request),
        "csrf": csrf,
        "statuses": statuses,
        "form": form or FormInput(),
        "error": error,
        "saved": request.query.get("saved") == "1" and error is None,
        "limit_mb": _megabytes(_services(request).settings.max_document_mb),
    }
    return _with_csrf(request, render(request, "form.html", context, status), csrf)


async def form_get(request: web.Request) -> web.StreamResponse:
    info = await _link(request)
    return await _form_page(request, info, await _subject(request, info))


async def _read_form(request: web.Request, directory: Path, limit: int) -> FormInput:
    """The form's fields, and its file streamed to disk.  Past ``limit`` the file is dropped and
    the rest of it read and thrown away, so that the browser sees the answer; a body far past
    any honest form (``limit`` × 2 + 1 MB) is not read further."""
    form = FormInput()
    if not request.content_type.startswith("multipart/"):
        return form
    budget = limit * 2 + 1024 * 1024
    reader = await request.multipart()
    try:
        while budget > 0 and (part := await reader.next()) is not None:
            if not isinstance(part, BodyPartReader):
                continue
            upload = None
            if part.name == "file" and part.filename and not form.too_large:
                upload = UploadWriter(directory, limit)
            data = bytearray()
            while budget > 0 and (chunk := await part.read_chunk(CHUNK)):
                budget -= len(chunk)
                if upload is not None:
                    try:
                        upload.write(chunk)
                    except TooLarge:
                        form.too_large, upload = True, None
                elif part.name != "file" and len(data) <= FIELD_LIMIT * 4:
                    data += chunk
            if upload is not None and upload.size:
                form.discard()  # one file per report: the last one counts
                form.upload, form.filename = upload, part.filename
            elif upload is not None:
                upload.discard()
            elif part.name and part.name != "file":
                form.fields[part.name] = data.decode("utf-8", "replace")[:FIELD_LIMIT]
    except BaseException:
        form.discard()
        raise
    form.too_large = form.too_large or budget <= 0
    return form


async def form_post(request: web.Request) -> web.StreamResponse:
    services = _services(request)
    info = await _link(request)
    page = await _subject(request, info)
    settings = services.settings
    form = await _read_form(request, Path(settings.web_upload_dir), settings.max_document_bytes)
    try:
        cookie = request.cookies.get(CSRF_COOKIE, "")
        sent = form.get("csrf")
        if not cookie or not hmac.compare_digest(cookie.encode(), sent.encode()):
            return await _form_page(
                request, info, page, form=form, error=_say(services, "web.csrf"), status=403
            )
        if form.too_large:
            error = _say(services, "web.too_large", mb=_megabytes(settings.max_document_mb))
            return await _form_page(request, info, page, form=form, error=error, status=413)
        link = form.get("link").strip()
        if link and not URL_RE.match(link):
            error = _say(services, "web.bad_link")
            return await _form_page(request, info, page, form=form, error=error, status=400)
        comment = form.get("comment").strip()
        evidence = None
        if form.upload is not None:
            evidence = Evidence("document", form.upload.keep(), clean_filename(form.filename))
            form.upload = None
            if link:  # one piece of evidence per report, as in the chat: the link goes in text
                comment = f"{comment}\n{link}".strip()
        elif link:
            evidence = Evidence("link", link)
        status = form.get("status")
        try:
            if status:
                await services.reporting.report_status(
                    info.actor_id, page.recommendation.id, status, comment or None, evidence
                )
            else:
                await services.reporting.comment(
                    info.actor_id, page.recommendation.id, comment or None, evidence
                )
        except UserError as refused:  # said on the form, which keeps what was typed
            error = _say(services, FORM_TEXTS.get(refused.key, refused.key), **refused.params)
            return await _form_page(request, info, page, form=form, error=error, status=400)
    finally:
        form.discard()
    await services.weblinks.touch(info)
    raise web.HTTPSeeOther(f"/o/{_token(request)}/rec/{page.recommendation.id}?saved=1")


def _megabytes(value: float) -> str:
    return f"{value:g}".replace(".", ",")  # 0,5 МБ


def _say(services: Services, key: str, **params: Any) -> str:
    return services.texts.plain(key, **params)


# --- the app ----------------------------------------------------------------------------


@web.middleware
async def _pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Security headers on every answer; a missing page or a refused link as a Russian page."""
    try:
        response = await handler(request)
    except Refused as refused:
        response = _error_page(request, refused.status, refused.key, **refused.params)
    except web.HTTPNotFound:
        response = _error_page(request, 404, "web.not_found")
    except web.HTTPMethodNotAllowed:
        response = _error_page(request, 405, "web.not_found")
    except web.HTTPException as exc:
        for name, value in SECURITY_HEADERS.items():
            exc.headers.setdefault(name, value)
        raise
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def _error_page(request: web.Request, status: int, key: str, **params: Any) -> web.Response:
    texts = _services(request).texts
    context = {"title": texts.plain(f"{key}_title"), "message": texts.plain(key, **params)}
    response = render(request, "error.html", context, status)
    if request.path.startswith("/o/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def create_web_app(services: Services) -> web.Application:
    app = web.Application(middlewares=[_pages], client_max_size=1024 * 1024)
    app[SERVICES] = services
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    env.globals.update(_environment(services))
    app.router.add_get("/", index)
    app.router.add_get("/r/{region}", region_page)
    app.router.add_get(r"/d/{id}", resolution_page)
    app.router.add_get(r"/rec/{id}", recommendation_page)
    app.router.add_get("/calendar/region/{region}.ics", region_calendar)
    app.router.add_get(r"/calendar/addressee/{id}.ics", addressee_calendar)
    app.router.add_get("/o/{token}", official_list)
    app.router.add_get(r"/o/{token}/rec/{id}", form_get)
    app.router.add_post(r"/o/{token}/rec/{id}", form_post)
    return app


async def start_web_server(services: Services) -> web.AppRunner | None:
    """The public page on WEB_HOST:WEB_PORT when WEB_ENABLED; None when it is off."""
    settings = services.settings
    if not settings.web_enabled:
        return None
    runner = web.AppRunner(create_web_app(services), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, settings.web_host, settings.web_port).start()
    except OSError as error:
        await runner.cleanup()
        raise port_in_use("WEB_PORT", settings.web_host, settings.web_port, error) from None
    log.info("public page on http://%s:%s/", settings.web_host, settings.web_port)
    return runner
