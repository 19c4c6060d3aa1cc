"""The public pages' cache: the program read once off the event loop, and pages rendered once.

The program (``storage.program``) is read again after any commit (``Database.generation``: of
this process or another); concurrent requests share one read. A rendered page is kept until
the next commit or until its ``valid_until`` (the next phase change of an evening on it, from
``domain.evening.next_phase_change``), whichever comes first.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.program import Program, read_program

log = logging.getLogger(__name__)

Generation = tuple[int, int]


@dataclass(frozen=True, slots=True)
class Rendered:
    """A page as sent: its bytes and how, and until when it is right (``None``: until the next
    write)."""

    body: bytes
    content_type: str
    valid_until: datetime | None
    lang: str | None = None  # the page's language (``None``: a calendar file)
    gzipped: bytes | None = None  # the body gzip-compressed (``bot.web.responses.compressed``)


class PageCache:
    """Pages by key over the program of one database."""

    def __init__(self, db: Database):
        self.db = db
        self._program: Program | None = None
        self._program_of: Generation | None = None  # when the kept program was read
        self._loading: asyncio.Future[Program] | None = None
        self._loading_of: Generation | None = None
        self._pages: dict[Hashable, Rendered] = {}
        self._pages_of: Generation | None = None

    async def program(self) -> tuple[Generation, Program]:
        """The program as of the latest commit, and which one (one read for all who ask)."""
        generation = self.db.generation()
        if self._program is not None and self._program_of == generation:
            return generation, self._program
        if self._loading is None or self._loading_of != generation:
            self._loading_of = generation
            self._loading = asyncio.ensure_future(self._read())
        loading = self._loading
        try:
            program = await asyncio.shield(loading)
        except BaseException:
            if self._loading is loading and loading.done():
                self._loading = None  # the next request tries again
            raise
        if self._loading is loading:
            self._program, self._program_of, self._loading = program, generation, None
        return generation, program

    async def _read(self) -> Program:
        started = time.perf_counter()
        program = await self.db.read(read_program)
        took = (time.perf_counter() - started) * 1000
        log.debug(
            "Read the program for the pages: %d evenings, %.0f ms", len(program.events), took
        )
        return program

    def get(self, key: Hashable, now: datetime) -> Rendered | None:
        """The page kept under ``key`` if nothing was written since and it is still right."""
        if self._pages_of != self.db.generation():
            return None
        page = self._pages.get(key)
        if page is None or (page.valid_until is not None and now >= page.valid_until):
            return None
        return page

    def put(self, key: Hashable, generation: Generation, page: Rendered) -> None:
        """Keep ``page``, rendered from the program of commit ``generation``."""
        if generation != self.db.generation():
            return  # written meanwhile: already stale
        if self._pages_of != generation:
            self._pages.clear()
            self._pages_of = generation
        self._pages[key] = page
