"""Find the files in the drop directory and decide, per file, what the run must do with it.

Identity is the content hash. Hashing is skipped when a file's path, size and mtime_ns equal the
latest ``documents`` row for that path, so a no-op re-run over thousands of files costs one
directory walk and one query. Nothing here parses a file, and nothing here writes anywhere: the drop
directory is only listed and read.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from flows.ingest.parsing import sha256_file
from flows.records import Candidate, FileStat, KnownFile, KnownHash

HASH_THREADS = 4
"""hashlib releases the GIL on large buffers, so a few threads overlap disk reads and hashing."""


@dataclass(slots=True, frozen=True)
class Unreadable:
    stat: FileStat
    reason: str


@dataclass(slots=True)
class Plan:
    """What one run has to do. Built by ``plan_files``; executed by the flow."""

    seen: int = 0
    unchanged: list[Candidate] = field(default_factory=list)
    """Same bytes as already recorded for the path: refresh last_seen (and size/mtime), nothing else."""
    copies: list[tuple[Candidate, KnownHash]] = field(default_factory=list)
    """New path, known content (a copy or a move): recorded as a duplicate of what is known."""
    to_parse: list[Candidate] = field(default_factory=list)
    """New content, one candidate per distinct hash."""
    twins: dict[str, list[Candidate]] = field(default_factory=dict)
    """Further paths with the same new content as a ``to_parse`` candidate: they share its outcome."""
    unreadable: list[Unreadable] = field(default_factory=list)
    """Files that could not even be read for hashing (permissions, vanished mid-walk)."""
    deferred: list[FileStat] = field(default_factory=list)
    """New or changed files modified within the settle window: probably still being written (an upload,
    a copy in progress). Not hashed, no row written: the next run looks at them again."""


def _skip(name: str) -> bool:
    """Hidden files and Office lock files (``~$x.docx``) are not reports and not worth a rejection."""
    return name.startswith((".", "~$"))


def walk_drop_dir(root: Path) -> list[FileStat]:
    """All regular files under ``root``, recursively, sorted by path. Symlinked directories are not
    followed (no cycles); symlinked files are read through."""
    found: list[FileStat] = []
    stack = [str(root.resolve())]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if _skip(entry.name):
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=True):
                    st = entry.stat(follow_symlinks=True)
                    found.append(FileStat(entry.path, st.st_size, st.st_mtime_ns))
            except OSError:
                continue
    found.sort(key=lambda f: f.path)
    return found


def hash_files(files: Iterable[FileStat]) -> dict[str, str | OSError]:
    """sha256 per path (or the OSError that prevented reading it)."""

    def one(stat: FileStat) -> tuple[str, str | OSError]:
        try:
            return stat.path, sha256_file(stat.path)
        except OSError as exc:
            return stat.path, exc

    with ThreadPoolExecutor(max_workers=HASH_THREADS) as executor:
        return dict(executor.map(one, files))


def plan_files(
    files: list[FileStat],
    known_files: Mapping[str, KnownFile],
    lookup_hashes: Callable[[list[str]], Mapping[str, KnownHash]],
    parser_version: str,
    hasher: Callable[[list[FileStat]], Mapping[str, str | OSError]] = hash_files,
    settled_before_ns: int | None = None,
) -> Plan:
    """Sort every file into unchanged / copy / to-parse / unreadable / deferred.

    A rejected file is parsed again only when the parser version has changed since it was rejected
    (a fixed parser gets a second chance; an unchanged one would reject it again). A new or changed
    file whose mtime is later than ``settled_before_ns`` is deferred (half-written files are not read).
    """
    plan = Plan(seen=len(files))
    to_hash: list[FileStat] = []
    for stat in files:
        known = known_files.get(stat.path)
        if known is not None and known.size == stat.size and known.mtime_ns == stat.mtime_ns:
            candidate = Candidate(stat, known.sha256)
            if _retry(known.status, known.parser_version, parser_version):
                plan.to_parse.append(candidate)
            else:
                plan.unchanged.append(candidate)
        elif settled_before_ns is not None and stat.mtime_ns > settled_before_ns:
            plan.deferred.append(stat)
        else:
            to_hash.append(stat)
    if not to_hash:
        return plan

    hashes = hasher(to_hash)
    fresh: list[Candidate] = []
    for stat in to_hash:
        digest = hashes[stat.path]
        if isinstance(digest, OSError):
            plan.unreadable.append(Unreadable(stat, f"cannot read the file: {digest}"))
            continue
        if _changed_since(stat):  # written to while we hashed it: the hash may be of half a file
            plan.deferred.append(stat)
            continue
        known = known_files.get(stat.path)
        candidate = Candidate(stat, digest)
        if known is not None and known.sha256 == digest:
            if _retry(known.status, known.parser_version, parser_version):
                plan.to_parse.append(candidate)
            else:
                plan.unchanged.append(candidate)  # touched, not changed
        else:
            fresh.append(candidate)

    known_hashes = lookup_hashes(sorted({c.sha256 for c in fresh})) if fresh else {}
    first_of_hash: dict[str, Candidate] = {c.sha256: c for c in plan.to_parse}
    for candidate in fresh:
        known_hash = known_hashes.get(candidate.sha256)
        if known_hash is not None and not _retry(
            known_hash.status, known_hash.parser_version, parser_version
        ):
            plan.copies.append((candidate, known_hash))
        elif candidate.sha256 in first_of_hash:
            plan.twins.setdefault(candidate.sha256, []).append(candidate)
        else:
            first_of_hash[candidate.sha256] = candidate
            plan.to_parse.append(candidate)
    return plan


def _changed_since(stat: FileStat) -> bool:
    try:
        st = os.stat(stat.path)
    except OSError:
        return False  # vanished after hashing: its parse will fail and say so
    return (st.st_size, st.st_mtime_ns) != (stat.size, stat.mtime_ns)


def _retry(status: str, recorded_version: str, parser_version: str) -> bool:
    return status == "rejected" and recorded_version != parser_version
