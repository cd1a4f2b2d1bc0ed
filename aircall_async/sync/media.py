"""Downloading the recordings and voicemails of synced calls.

Each file is streamed to ``<dir>/<call id>-<kind><ext>.part`` while hashed, then renamed;
an interrupted download continues with a ``Range`` request. Its size and SHA-256 are kept
in ``_aircall_media`` next to the calls; a later run checks both and downloads again a file
that is missing or altered. Media URLs expire (about an hour; S3 answers 403):
an expired one is refreshed by fetching the call again (``GET /v1/calls/:id``, the only
request that draws on the API budget), and the call's row is updated with it.

Media hosts get no credentials: downloads use a session of their own.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import sqlite3
from pathlib import Path, PurePosixPath
from typing import Any

import aiohttp
import attrs
from yarl import URL

from ..client import AircallClient
from ..errors import NotFoundError
from .sinks import SQLiteSink
from .streams import STREAMS

__all__ = ["MEDIA_TABLE", "MediaDownloader", "MediaReport"]

#: The table recording what was downloaded.
MEDIA_TABLE = "_aircall_media"
KINDS = ("recording", "voicemail")
_EXPIRED = frozenset({401, 403, 404, 410})
_CHUNK = 64 * 1024


@attrs.define
class MediaReport:
    """What a run did: files ``downloaded``, already ``present``, URLs ``refreshed``, and
    ``failed`` ones with their reasons in ``errors``."""

    downloaded: int = 0
    present: int = 0
    refreshed: int = 0
    failed: int = 0
    bytes: int = 0
    errors: list[str] = attrs.field(factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return attrs.asdict(self)


class _Expired(Exception):
    pass


class MediaDownloader:
    """Downloads every recording and voicemail of the ``calls`` table not yet on disk.

    Args:
        client: re-fetches calls whose media URL expired.
        sink: the SQLite sink the calls were synced into (must be open-able).
        folder: where the files go (must exist).
        concurrency: downloads at once.
        session: the session for media hosts (default: a fresh one without credentials).

    Raises ValueError for ``concurrency < 1``.
    """

    def __init__(
        self,
        client: AircallClient,
        sink: SQLiteSink,
        folder: str | os.PathLike[str],
        *,
        concurrency: int = 4,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        if concurrency < 1:
            raise ValueError(f"concurrency must be >= 1, got {concurrency}")
        self._client = client
        self._sink = sink
        self._folder = Path(folder)
        self._concurrency = concurrency
        self._session = session
        self.report = MediaReport()

    def __repr__(self) -> str:
        return f"<MediaDownloader {str(self._folder)!r} concurrency={self._concurrency}>"

    async def run(self) -> MediaReport:
        """Download what is missing; returns the report (failures counted, not raised).

        Raises:
            SinkError: when the database cannot be opened or read (a SQLite file of another
                program, whose ``calls`` table has other columns...).
        """
        calls = STREAMS["calls"]
        await self._sink.open([calls])
        db = self._sink.connection
        with self._sink.converted("reading the calls to download from"):
            db.execute(
                f"CREATE TABLE IF NOT EXISTS {MEDIA_TABLE} (call_id INTEGER, kind TEXT, "
                "path TEXT NOT NULL, bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, "
                "PRIMARY KEY (call_id, kind))"
            )
            wanted = self._wanted(db)
        jobs: asyncio.Queue[tuple[int, str, str]] = asyncio.Queue()
        for call_id, kind, url in wanted:
            jobs.put_nowait((call_id, kind, url))
        own = self._session is None
        session = self._session or aiohttp.ClientSession()
        try:
            workers = [
                asyncio.ensure_future(self._worker(session, jobs)) for _ in range(self._concurrency)
            ]
            await asyncio.gather(*workers)
        finally:
            if own:
                await session.close()
        return self.report

    def _wanted(self, db: sqlite3.Connection) -> list[tuple[int, str, str]]:
        done = {
            (row[0], row[1]): (row[2], row[3], row[4])
            for row in db.execute(f"SELECT call_id, kind, path, bytes, sha256 FROM {MEDIA_TABLE}")
        }
        out = []
        rows = db.execute(
            "SELECT id, recording, voicemail FROM calls "
            "WHERE recording IS NOT NULL OR voicemail IS NOT NULL ORDER BY id"
        )
        for call_id, recording, voicemail in rows:
            for kind, url in zip(KINDS, (recording, voicemail), strict=True):
                if not url:
                    continue
                known = done.get((call_id, kind))
                if known is not None and _intact(Path(known[0]), known[1], known[2]):
                    self.report.present += 1
                    continue
                out.append((call_id, kind, url))
        return out

    async def _worker(
        self, session: aiohttp.ClientSession, jobs: asyncio.Queue[tuple[int, str, str]]
    ) -> None:
        while not jobs.empty():
            call_id, kind, url = jobs.get_nowait()
            try:
                await self._one(session, call_id, kind, url)
            except (aiohttp.ClientError, asyncio.TimeoutError, OSError) as exc:
                self.report.failed += 1
                self.report.errors.append(f"call {call_id} {kind}: {type(exc).__name__}")

    async def _one(self, session: aiohttp.ClientSession, call_id: int, kind: str, url: str) -> None:
        for attempt in range(3):
            try:
                await self._download(session, call_id, kind, url)
                return
            except _Expired:
                if attempt == 2:
                    break
                fresh = await self._refresh(call_id, kind)
                if fresh is None:
                    break
                url = fresh
        self.report.failed += 1
        self.report.errors.append(f"call {call_id} {kind}: URL expired and not renewed")

    async def _refresh(self, call_id: int, kind: str) -> str | None:
        try:
            body = await self._client.request("GET", f"/calls/{call_id}")
        except NotFoundError:
            return None
        call = body.get("call") if isinstance(body, dict) else None
        if not isinstance(call, dict) or not isinstance(call.get(kind), str):
            return None
        calls = STREAMS["calls"]
        state = await self._sink.load_state(calls) or {}
        await self._sink.write(calls, [calls.clean(call)], state, 0)
        self.report.refreshed += 1
        return str(call[kind])

    async def _download(
        self, session: aiohttp.ClientSession, call_id: int, kind: str, url: str
    ) -> None:
        suffix = PurePosixPath(URL(url).path).suffix or ".mp3"
        target = self._folder / f"{call_id}-{kind}{suffix}"
        part = target.with_name(target.name + ".part")
        digest = hashlib.sha256()
        have = _size(part) or 0
        headers = {"Range": f"bytes={have}-"} if have else {}
        async with session.get(url, headers=headers, allow_redirects=True) as response:
            if response.status in _EXPIRED:
                raise _Expired
            response.raise_for_status()
            if response.status == 206 and have:
                with part.open("rb") as existing:
                    for chunk in iter(lambda: existing.read(_CHUNK), b""):
                        digest.update(chunk)
                mode = "ab"
            else:
                have, mode = 0, "wb"
            with part.open(mode) as out:
                async for chunk in response.content.iter_chunked(_CHUNK):
                    out.write(chunk)
                    digest.update(chunk)
                    have += len(chunk)
                out.flush()
                os.fsync(out.fileno())
        os.replace(part, target)
        self._sink.connection.execute(
            f"INSERT OR REPLACE INTO {MEDIA_TABLE} VALUES (?, ?, ?, ?, ?)",
            (call_id, kind, str(target), have, digest.hexdigest()),
        )
        self.report.downloaded += 1
        self.report.bytes += have


def _intact(path: Path, size: int, sha256: str) -> bool:
    """Whether the file on disk is the one downloaded (size, then checksum)."""
    if _size(path) != size:
        return False
    digest = hashlib.sha256()
    with path.open("rb") as data:
        for chunk in iter(lambda: data.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest() == sha256


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None
