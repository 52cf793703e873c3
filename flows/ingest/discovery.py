"""Find the files in the drop directory and decide, per file, what the run must do with it.

Identity is the content hash. Hashing is skipped when a file's path, size and mtime_ns equal the
latest ``documents`` row for that path, so a no-op re-run over thousands of files costs one
directory walk and one query. Nothing here parses a file, and nothing here writes anywhere: the drop
directory is only listed and read.

Containment: a drop directory is often a shared folder, and whoever can write a link there must not be
able to make the nightly job read any file the job can read. So every entry is resolved and must lie
inside the (resolved) drop root. What is not read is *skipped*, named with a reason, never opened:

- ``outside_drop_dir``: a symlink whose target lies outside the root (a file or a directory). With
  ``follow_links`` a link to a *regular file* elsewhere is read; directories outside are never walked.
- ``special_file``: devices, FIFOs and sockets (opening a FIFO would block, a device may never end),
  also as the target of a link.
- ``dangling_link``: a symlink whose target does not exist (or loops).
- ``unreadable``: a directory that cannot be listed.

A symlinked directory inside the root is not walked (its files are reached through their real path,
and a link cycle cannot trap the walk); a symlinked file inside the root is read like a file.
"""

from __future__ import annotations

import os
import stat as stat_mode
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


SKIP_REASONS = ("unreadable", "dangling_link", "outside_drop_dir", "special_file")
"""Why a directory entry is not even a candidate document (a skipped entry is counted and named in the
summary; it is not a rejected document: there is no file content to identify it by)."""


@dataclass(slots=True, frozen=True)
class Skipped:
    path: str
    reason: str
    """One of ``SKIP_REASONS``."""
    detail: str = ""


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
    skipped: list[Skipped] = field(default_factory=list)
    """Entries of the drop directory that are not files to look at (see ``SKIP_REASONS``)."""
    deferred: list[FileStat] = field(default_factory=list)
    """New or changed files modified within the settle window: probably still being written (an upload,
    a copy in progress). Not hashed, no row written: the next run looks at them again."""


def _skip(name: str) -> bool:
    """Hidden files and Office lock files (``~$x.docx``) are not reports and not worth a rejection."""
    return name.startswith((".", "~$"))


OUTSIDE_DROP_DIR, SPECIAL_FILE, DANGLING_LINK, UNREADABLE = (
    "outside_drop_dir",
    "special_file",
    "dangling_link",
    "unreadable",
)
"""Reasons of skipped entries (``SKIP_REASONS``; see the module docstring)."""


def walk_drop_dir(
    root: Path, skipped: list[Skipped] | None = None, follow_links: bool = False
) -> list[FileStat]:
    """All regular files under ``root`` (resolved), recursively, sorted by path; everything else that
    is not read is appended to ``skipped`` (sorted by path) so that the run can say so. Only
    directories are listed and only ``stat`` is called here: no entry is opened."""
    found: list[FileStat] = []
    skips: list[Skipped] = []
    top = os.path.realpath(root)
    stack = [top]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            skips.append(Skipped(directory, UNREADABLE, f"cannot list the directory: {exc.strerror or exc}"))
            continue
        for entry in entries:
            if _skip(entry.name):
                continue
            try:
                if entry.is_symlink():
                    file_stat, reason = _through_link(entry.path, top, follow_links)
                    if reason is not None:
                        skips.append(Skipped(entry.path, reason, _skip_detail(entry.path, reason)))
                    elif file_stat is not None:
                        found.append(file_stat)
                elif entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    found.append(FileStat(entry.path, st.st_size, st.st_mtime_ns))
                else:
                    skips.append(Skipped(entry.path, SPECIAL_FILE, "a device, FIFO or socket: never opened"))
            except OSError:
                continue  # vanished between listing and stat
    found.sort(key=lambda f: f.path)
    if skipped is not None:
        skipped.extend(sorted(skips, key=lambda s: s.path))
    return found


def _skip_detail(link: str, reason: str) -> str:
    try:
        target = os.readlink(link)
    except OSError:
        return ""
    return (
        f"links to {target}"
        if reason in (DANGLING_LINK, OUTSIDE_DROP_DIR)
        else f"{target}: a device, FIFO or socket"
    )


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _through_link(link: str, root: str, follow_links: bool) -> tuple[FileStat | None, str | None]:
    """(the file a symlink stands for, or None; the reason it is skipped, or None)."""
    target = os.path.realpath(link)
    try:
        st = os.stat(target)
    except OSError:  # missing target, a loop, or a component we may not search
        return None, DANGLING_LINK
    inside = _inside(target, root)
    if stat_mode.S_ISDIR(st.st_mode):
        return None, (None if inside else OUTSIDE_DROP_DIR)  # inside: walked through its real path
    if not inside and not follow_links:
        return None, OUTSIDE_DROP_DIR
    if not stat_mode.S_ISREG(st.st_mode):
        return None, SPECIAL_FILE
    return FileStat(link, st.st_size, st.st_mtime_ns), None


def hash_files(files: Iterable[FileStat], stop: Callable[[], bool] | None = None) -> dict[str, str | OSError]:
    """sha256 per path (or the OSError that prevented reading it). Once ``stop()`` is true the files
    not yet hashed get an OSError instead: an interrupted run must not read a whole disk first, and
    it discards that plan anyway."""

    def one(stat: FileStat) -> tuple[str, str | OSError]:
        if stop is not None and stop():
            return stat.path, InterruptedError("the run was interrupted before this file was read")
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
