"""`guide preview`: serve the frozen `site/` the way Netlify does, plus the form functions at `/api/*`.

What is tested and measured is what ships: the browser tests and the benchmarks run against
this server, never the Flask dev server. The Netlify behaviour copied here:

- files are served from the publish folder; `/x/` serves `x/index.html`, and `/x` answers
  301 to `/x/` when `x/index.html` exists (pretty URLs);
- `[[redirects]]` from `netlify.toml`, after the rules of the `_redirects` file the build writes,
  first match wins; `*` in `from` is `:splat` in `to`, `:name` matches one segment; a rule that
  is not `force`d does not apply when a file exists at the address (shadowing); status 200
  rewrites, 301/302/303/307/308 redirect, 404 serves its target with status 404;
- `[[headers]]` whose `for` pattern matches the address are added to every response;
- a miss serves `404.html` with status 404;
- text files (HTML, CSS, JavaScript, JSON, SVG, XML, plain text) are compressed when the client
  accepts it, Brotli first, then gzip, with `Vary: Accept-Encoding`, as Netlify's CDN does; so the
  browser suite and Lighthouse see real transfer sizes. Brotli comes from Google's `brotli`
  bindings (PyPI), gzip from the standard library; each file is compressed once per version.

Netlify proxies `/api/*` to the Python functions; here every `/api/` request is handed, path
unchanged, to the WSGI app the functions run in (`create_functions_app`, with the manifest the
build wrote), created on the first such request so the static site starts at once.
"""

from __future__ import annotations

import gzip
import mimetypes
import re
import threading
import tomllib
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import brotli
from werkzeug.security import safe_join
from werkzeug.utils import send_file
from werkzeug.wrappers import Request, Response

from .config import PROJECT_ROOT, Settings
from .forms.app import create_functions_app
from .pages.app import create_app

REDIRECT_STATUSES = {301, 302, 303, 307, 308}
#: What Netlify sends for files without a Cache-Control header of their own.
DEFAULT_CACHE_CONTROL = "public, max-age=0, must-revalidate"
FUNCTIONS_PREFIX = "/api/"
#: What Netlify compresses: text, not images, fonts or Pagefind's already-compressed index files.
COMPRESSIBLE = (
    "text/",
    "application/javascript",
    "application/json",
    "application/xml",
    "image/svg+xml",
    "application/manifest+json",
)
#: Smaller files are sent as they are (a compressed frame would barely be smaller).
MIN_COMPRESS_BYTES = 256


def choose_encoding(request: Request) -> str | None:
    """ "br" or "gzip" (in that order of preference, as Netlify) if the client accepts it, else None."""
    accepted = request.accept_encodings
    for encoding in ("br", "gzip"):
        if accepted[encoding] > 0:
            return encoding
    return None


class _CompressedCache:
    """Each file's compressed bytes, made once per (path, size, mtime, encoding)."""

    LIMIT = 512

    def __init__(self):
        self._items: dict[tuple, bytes] = {}
        self._lock = threading.Lock()

    def get(self, file: Path, encoding: str) -> bytes:
        stat = file.stat()
        key = (str(file), stat.st_size, stat.st_mtime_ns, encoding)
        data = self._items.get(key)
        if data is None:
            raw = file.read_bytes()
            if encoding == "br":
                data = brotli.compress(raw, mode=brotli.MODE_TEXT, quality=11)
            else:
                data = gzip.compress(raw, compresslevel=9, mtime=0)
            with self._lock:
                if len(self._items) >= self.LIMIT:
                    self._items.clear()
                self._items[key] = data
        return data


def _pattern(path: str) -> re.Pattern:
    """A Netlify path pattern as a regular expression: `*` is the splat, `:name` one segment.

    A trailing slash is optional on both sides, as on Netlify.
    """
    body = path.rstrip("/") or "/"
    regex = ""
    for token in re.split(r"(\*|:[A-Za-z_]\w*)", body):
        if token == "*":
            regex += "(?P<splat>.*)"
        elif token.startswith(":"):
            regex += f"(?P<{token[1:]}>[^/]+)"
        else:
            regex += re.escape(token)
    if body == "/":
        return re.compile(r"^/$")
    if regex.endswith("/(?P<splat>.*)"):
        # "/prefix/*" also matches "/prefix" itself.
        regex = regex[: -len("/(?P<splat>.*)")] + "(?:/(?P<splat>.*))?"
    # DOTALL: a decoded newline in a path must not slip past `/*` (and its security headers).
    return re.compile(f"^{regex}/?$", re.DOTALL)


@dataclass(frozen=True)
class RedirectRule:
    source: str
    to: str
    status: int = 301
    force: bool = False
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "pattern", _pattern(self.source))

    def target(self, path: str) -> str | None:
        """Where this rule sends `path`, or None if it does not match."""
        match = self.pattern.match(path)
        if not match:
            return None
        values = {name: value or "" for name, value in match.groupdict().items()}
        return re.sub(r":([A-Za-z_]\w*)", lambda m: values.get(m[1], m[0]), self.to)


@dataclass(frozen=True)
class HeaderRule:
    path: str
    values: dict[str, str]
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "pattern", _pattern(self.path))


@dataclass(frozen=True)
class NetlifyConfig:
    redirects: list[RedirectRule]
    headers: list[HeaderRule]

    @classmethod
    def load(cls, toml_file: Path | None, redirects_file: Path | None = None) -> NetlifyConfig:
        """Rules from a `_redirects` file (first, as Netlify reads it first) and `netlify.toml`."""
        config = tomllib.loads(toml_file.read_text(encoding="utf-8")) if toml_file and toml_file.is_file() else {}
        redirects = (
            parse_redirects_file(redirects_file.read_text(encoding="utf-8"))
            if redirects_file and redirects_file.is_file()
            else []
        )
        for rule in config.get("redirects", []):
            redirects.append(
                RedirectRule(rule["from"], rule["to"], int(rule.get("status", 301)), bool(rule.get("force", False)))
            )
        headers = [
            HeaderRule(rule["for"], {k: str(v) for k, v in rule.get("values", {}).items()})
            for rule in config.get("headers", [])
        ]
        return cls(redirects, headers)

    def headers_for(self, path: str) -> dict[str, str]:
        """Every matching rule's headers; a header set by several rules gets their values joined, as on Netlify."""
        merged: dict[str, str] = {}
        for rule in self.headers:
            if rule.pattern.match(path):
                for name, value in rule.values.items():
                    merged[name] = f"{merged[name]}, {value}" if name in merged and merged[name] != value else value
        return merged


def parse_redirects_file(text: str) -> list[RedirectRule]:
    """Netlify's `_redirects` format: `from to [status][!]` per line; `#` starts a comment."""
    rules = []
    for line in text.splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) < 2:
            continue
        status, force = 301, False
        if len(fields) > 2:
            status_field = fields[2]
            force = status_field.endswith("!")
            status = int(status_field.rstrip("!"))
        rules.append(RedirectRule(fields[0], fields[1], status, force))
    return rules


class PreviewApp:
    """A WSGI app serving a frozen site by Netlify's rules, with `/api/*` handed to `functions`."""

    def __init__(
        self,
        site_dir: Path,
        config: NetlifyConfig,
        functions: Callable | None = None,
        functions_factory: Callable[[], Callable] | None = None,
    ):
        self.site_dir = Path(site_dir).resolve()
        self.config = config
        self._functions = functions
        self._functions_factory = functions_factory
        self._compressed = _CompressedCache()

    # Files

    def _file(self, path: str) -> Path | None:
        """The file served at `path` (already decoded, once, by the WSGI server) without redirects, or None."""
        if path in NETLIFY_ONLY_FILES:
            return None  # Netlify reads these and never serves them
        relative = path.lstrip("/") + ("index.html" if path.endswith("/") else "")
        joined = safe_join(str(self.site_dir), relative) if relative else None  # None for ../ out of the site
        return Path(joined) if joined and Path(joined).is_file() else None

    def _exists(self, path: str) -> bool:
        """Whether a file answers at `path`, counting `/x` for `x/index.html` (what shadows a rule)."""
        return self._file(path) is not None or (not path.endswith("/") and self._file(path + "/") is not None)

    def _send(self, request: Request, file: Path, status: int = 200) -> Response:
        mimetype, encoding = mimetypes.guess_type(file.name)
        mimetype = mimetype or "application/octet-stream"
        compressible = not encoding and mimetype.startswith(COMPRESSIBLE)
        if mimetype.startswith("text/") or mimetype in ("application/javascript", "application/json", "image/svg+xml"):
            mimetype += "; charset=utf-8"
        if compressible:
            chosen = choose_encoding(request) if file.stat().st_size >= MIN_COMPRESS_BYTES else None
            headers = {"Content-Type": mimetype, "Vary": "Accept-Encoding"}
            if chosen is None:
                return Response(file.read_bytes(), status=status, headers=headers)
            headers["Content-Encoding"] = chosen
            return Response(self._compressed.get(file, chosen), status=status, headers=headers)
        response = send_file(file, request.environ, mimetype=mimetype, conditional=False, etag=False)
        response.status_code = status
        # Netlify's headers, not Werkzeug's defaults: our Content-Type, and the site's caching rules.
        response.headers["Content-Type"] = mimetype
        del response.headers["Cache-Control"]
        if encoding:
            response.headers["Content-Encoding"] = encoding
        return response

    def _not_found(self, request: Request) -> Response:
        page = self.site_dir / "404.html"
        if page.is_file():
            return self._send(request, page, 404)
        return Response("Not Found", 404, mimetype="text/plain")

    def _redirect(self, request: Request, location: str, status: int) -> Response:
        location = same_site_location(location)
        if request.query_string and "?" not in location:
            location += "?" + request.query_string.decode("latin-1")
        response = Response(f"Redirecting to {location}\n", status=status, mimetype="text/plain")
        response.headers["Location"] = location
        return response

    def _static(self, request: Request, path: str) -> Response:
        file = self._file(path)
        if file is not None:
            return self._send(request, file)
        if not path.endswith("/") and self._file(path + "/") is not None:
            return self._redirect(request, quote(path) + "/", 301)
        return self._not_found(request)

    # Requests

    def functions(self) -> Callable | None:
        if self._functions is None and self._functions_factory is not None:
            self._functions = self._functions_factory()
        return self._functions

    def _route(self, request: Request) -> Response:
        path = request.path
        for rule in self.config.redirects:
            target = rule.target(path)
            if target is None:
                continue
            if not rule.force and self._exists(path):
                break  # shadowed: the file wins
            if rule.status in REDIRECT_STATUSES:
                return self._redirect(request, target, rule.status)
            target_path = target.split("?", 1)[0]
            if target_path.startswith(("http://", "https://")):
                continue  # a proxy to another host; not followed in preview
            file = self._file(target_path)
            if file is None:
                return self._not_found(request)
            return self._send(request, file, rule.status)
        return self._static(request, path)

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "") or "/"
        if path.startswith(FUNCTIONS_PREFIX):
            functions = self.functions()
            if functions is not None:
                return functions(environ, start_response)
        request = Request(environ)
        if "\x00" in request.path:
            response = Response("Bad Request\n", 400, mimetype="text/plain")
        elif any(len(segment.encode()) > MAX_SEGMENT_BYTES for segment in request.path.split("/")):
            response = self._not_found(request)  # no file name is that long; the file system would refuse it
        elif request.method not in ("GET", "HEAD"):
            response = Response("Method Not Allowed\n", 405, mimetype="text/plain", headers={"Allow": "GET, HEAD"})
        else:
            response = self._route(request)
        for name, value in self.config.headers_for(request.path).items():
            response.headers[name] = value
        response.headers.setdefault("Cache-Control", DEFAULT_CACHE_CONTROL)
        return response(environ, start_response)


#: Files in the published folder that configure Netlify rather than being part of the site.
NETLIFY_ONLY_FILES = frozenset({"/_redirects", "/_headers"})
#: The longest file name most file systems allow; a longer path segment names no file.
MAX_SEGMENT_BYTES = 255


def same_site_location(location: str) -> str:
    """A redirect target that stays on this host: control characters and whitespace browsers drop from a
    URL (`/%09/evil.example` is `//evil.example` to them) are removed, and leading slashes and backslashes
    collapse to one, so `/prm-practice-migration//evil.example` cannot become `//evil.example`."""
    location = "".join(c for c in location if not (c.isspace() or unicodedata.category(c) in ("Cc", "Cf")))
    if location.startswith(("/", "\\")):
        location = "/" + location.lstrip("/\\")
    return location


def _functions_app(settings) -> Callable:
    """What production runs at /api/*: the functions app, knowing the site from the manifest the
    build wrote (so its pages use the published stylesheet); the whole app if there is none."""
    if settings.functions_manifest.is_file():
        return create_functions_app(settings)
    return create_app(settings)


def create_preview_app(
    site_dir: Path, netlify_toml: Path | None = None, settings=None, functions: Callable | None = None
) -> PreviewApp:
    """The preview of the site built in `site_dir`, with the rules of `netlify_toml` (default: the repo's)."""
    site_dir = Path(site_dir)
    config = NetlifyConfig.load(netlify_toml or PROJECT_ROOT / "netlify.toml", site_dir / "_redirects")
    settings = settings or Settings.from_environment()
    factory = None if functions is not None else (lambda: _functions_app(settings))
    return PreviewApp(site_dir, config, functions=functions, functions_factory=factory)


def iter_pages(site_dir: Path) -> Iterable[str]:
    """The address of every frozen HTML page: `guide/index.html` → `/guide/`, and `/404.html`."""
    site_dir = Path(site_dir)
    for file in sorted(site_dir.rglob("index.html")):
        relative = file.relative_to(site_dir).parent.as_posix()
        yield "/" if relative == "." else f"/{relative}/"
    if (site_dir / "404.html").is_file():
        yield "/404.html"
