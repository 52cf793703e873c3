"""Fuzzing the parser (a benchmark, not a test): mutated corpus files through sniffing + extraction +
transform, the ingest's own worker entry point (``flows.ingest.parsing.parse_file``) under the per-file
limits (flows.ingest.limits, applied in each fuzz process as in a real worker).

    python benchmarks/fuzz.py --n 100000 --jobs 2 --seed 1 --findings /tmp/xxgk-fuzz

Each input is one corpus document (seeds + synthetic, scans included) with one or two mutations:
- ``flip``: 1-16 random bytes set to random values; ``truncate``: cut at a random offset;
  ``splice``: the head of one document + the tail of another (any formats);
- ``zip``: a DOCX with one member corrupted (bytes flipped, truncated, emptied or dropped), or its
  compressed data damaged in place;
- ``xml``: word/document.xml with random elements deleted, duplicated, nested deep, or spans
  (``w:gridSpan``/``w:vMerge``) set to extreme values;
- ``html``: random tags deleted or duplicated, ``rowspan``/``colspan`` set to extreme values, tables
  nested deep, a row's cells multiplied;
- ``pdf``: a Flate content stream inflated, mutated (operators dropped, numbers changed, strings
  cut) and deflated again; or xref offsets / object numbers / ``/Length`` values altered.

Reported (one JSON object at the end; ``--findings`` keeps one input per new finding):
- ``uncaught``: exceptions that escaped ``parse_file`` (its contract is never to raise) — target 0;
- ``parser_error``: rejections with ``reason_code = parser_error``, i.e. an exception the readers
  did not expect, caught by the worker's last-resort handler; grouped by exception class and the
  line it came from — each is a parser bug to turn into a regression fixture;
- ``timeouts``: inputs stopped by the per-file time cap (``--file-timeout``, a hang) — target 0;
- ``resource_limit``: inputs stopped by the memory cap; ``peak_rss_mb``: the highest resident size of
  any fuzz process (VmHWM); outcome counts per reason code; inputs per second.
"""

from __future__ import annotations

import argparse
import collections
import io
import json
import multiprocessing as mp
import os
import random
import re
import sys
import tempfile
import time
import traceback
import zipfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CORPUS = ROOT / "tests" / "corpus"
FORMATS = (".pdf", ".docx", ".html", ".txt")


def seeds() -> list[Path]:
    return sorted(
        p for sub in ("seeds", "synthetic") for p in (CORPUS / sub).iterdir() if p.suffix in FORMATS
    )


# ---- mutations ------------------------------------------------------------------------------------------


def flip(rng: random.Random, data: bytes, _others: list[bytes]) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 16)):
        if buf:
            buf[rng.randrange(len(buf))] = rng.randrange(256)
    return bytes(buf)


def truncate(rng: random.Random, data: bytes, _others: list[bytes]) -> bytes:
    return data[: rng.randrange(max(len(data), 1))]


def splice(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    other = rng.choice(others)
    return data[: rng.randrange(max(len(data), 1))] + other[rng.randrange(max(len(other), 1)) :]


def _rezip(data: bytes, change) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = change(info.filename, src.read(info.filename))
            if body is not None:
                dst.writestr(info.filename, body)
    return out.getvalue()


def zip_member(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return flip(rng, data, others)
    if rng.random() < 0.3:  # damage the compressed stream in place (CRC / inflate errors)
        buf = bytearray(data)
        for _ in range(rng.randint(1, 8)):
            buf[rng.randrange(30, max(len(buf) - 22, 31))] = rng.randrange(256)
        return bytes(buf)
    victim = rng.choice(names)
    how = rng.choice(("flip", "truncate", "empty", "drop"))

    def change(name: str, body: bytes) -> bytes | None:
        if name != victim:
            return body
        if how == "drop":
            return None
        if how == "empty":
            return b""
        if how == "truncate":
            return body[: rng.randrange(max(len(body), 1))]
        return flip(rng, body, others)

    return _rezip(data, change)


_ELEMENT = re.compile(
    rb"<(w:(?:p|r|t|tc|tr|tbl|tblGrid|gridCol|tcPr|vMerge|gridSpan))\b[^>]*?(?:/>|>.*?</\1>)", re.S
)


def xml_structure(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        xml = zf.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError):
        return html_structure(rng, data, others)
    matches = list(_ELEMENT.finditer(xml))
    kind = rng.choice(("delete", "duplicate", "nest", "span", "garbage"))
    if kind == "span":
        xml = re.sub(
            rb'w:(gridSpan|vMerge) w:val="[^"]*"',
            lambda m: (
                b'w:%s w:val="%s"' % (m.group(1), rng.choice([b"0", b"-1", b"99999999", b"restart", b"x"]))
            ),
            xml,
        )
    elif kind == "nest":
        xml = xml.replace(b"<w:body>", b"<w:body>" + b"<w:tbl><w:tr><w:tc>" * rng.choice((50, 500, 3000)), 1)
    elif kind == "garbage":
        at = rng.randrange(max(len(xml), 1))
        xml = xml[:at] + rng.choice([b"<", b"</w:p>", b"&#0;", b"<w:t>", b"\x00", b"]]>"]) + xml[at:]
    elif matches:
        m = rng.choice(matches)
        replacement = b"" if kind == "delete" else m.group(0) * rng.randint(2, 50)
        xml = xml[: m.start()] + replacement + xml[m.end() :]
    return _rezip(data, lambda name, body: xml if name == "word/document.xml" else body)


_TAG = re.compile(rb"<(/?)(table|tr|td|th|p|div|span|br|tbody|h\d)\b[^>]*>", re.I)


def html_structure(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    tags = list(_TAG.finditer(data))
    if not tags:
        return flip(rng, data, others)
    kind = rng.choice(("delete", "duplicate", "span", "nest", "cells"))
    m = rng.choice(tags)
    if kind == "delete":
        return data[: m.start()] + data[m.end() :]
    if kind == "duplicate":
        return data[: m.start()] + m.group(0) * rng.randint(2, 200) + data[m.end() :]
    if kind == "span":
        value = rng.choice([b"0", b"-5", b"100000", b"65535", b"abc", b"2.5"])
        attr = rng.choice([b"rowspan", b"colspan"])
        return re.sub(
            rb"<(td|th)\b",
            lambda t: b'<%s %s="%s"' % (t.group(1), attr, value),
            data,
            count=rng.randint(1, 5),
        )
    if kind == "nest":
        depth = rng.choice((100, 300, 1000, 3000))
        return data[: m.start()] + b"<table><tr><td>" * depth + data[m.start() :]
    row = re.search(rb"<tr\b.*?</tr>", data, re.S | re.I)
    if not row:
        return flip(rng, data, others)
    return data[: row.end()] + row.group(0) * rng.randint(2, 100) + data[row.end() :]


_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)


def pdf_structure(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    kind = rng.choice(("content", "content", "xref", "length", "objnum"))
    if kind == "content":
        streams = list(_STREAM.finditer(data))
        rng.shuffle(streams)
        for m in streams[:5]:
            try:
                content = zlib.decompress(m.group(1))
            except zlib.error:
                continue
            how = rng.choice(("ops", "numbers", "strings", "flip"))
            if how == "ops":
                content = re.sub(
                    rb"\b(Tj|TJ|Td|TD|Tm|re|l|m|BT|ET|Tf|cm|q|Q)\b",
                    lambda o: b"" if rng.random() < 0.2 else o.group(0),
                    content,
                )
            elif how == "numbers":
                content = re.sub(
                    rb"-?\d+\.?\d*",
                    lambda n: (
                        rng.choice([n.group(0), b"1e308", b"-99999", b"0", b"nan"])
                        if rng.random() < 0.1
                        else n.group(0)
                    ),
                    content,
                )
            elif how == "strings":
                content = re.sub(
                    rb"\(([^)]*)\)",
                    lambda s: (
                        b"(" + s.group(1)[: rng.randrange(len(s.group(1)) + 1)]
                        if rng.random() < 0.1
                        else s.group(0)
                    ),
                    content,
                )
            else:
                content = flip(rng, content, others)
            packed = zlib.compress(content)
            return data[: m.start(1)] + packed + data[m.end(1) :]
        return flip(rng, data, others)
    if kind == "xref":
        return re.sub(
            rb"\d{10} \d{5} [nf]",
            lambda x: b"%010d 00000 n" % rng.randrange(len(data) * 2) if rng.random() < 0.3 else x.group(0),
            data,
        )
    if kind == "length":
        return re.sub(
            rb"/Length \d+",
            lambda x: (
                b"/Length %d" % rng.choice([0, 1, 10**9, rng.randrange(100000)])
                if rng.random() < 0.5
                else x.group(0)
            ),
            data,
        )
    return re.sub(
        rb"(\d+) 0 R",
        lambda x: b"%d 0 R" % rng.randrange(1, 10000) if rng.random() < 0.1 else x.group(0),
        data,
    )


GENERIC = (flip, truncate, splice)
BY_FORMAT = {
    ".docx": (zip_member, xml_structure),
    ".html": (html_structure,),
    ".pdf": (pdf_structure,),
    ".txt": (),
}


def mutate(rng: random.Random, path: Path, data: bytes, others: list[bytes]) -> tuple[bytes, list[str]]:
    names: list[str] = []
    for _ in range(rng.choice((1, 1, 1, 2))):
        pool = BY_FORMAT.get(path.suffix, ()) * 2 + GENERIC  # structure mutations twice as likely
        fn = rng.choice(pool)
        try:
            data = fn(rng, data, others)
        except Exception:  # noqa: BLE001 - the structure this one edits is already broken (any error)
            fn = flip  # an earlier mutation already broke the structure this one edits
            data = fn(rng, data, others)
        names.append(fn.__name__)
    return data, names


# ---- running --------------------------------------------------------------------------------------------

_state: dict = {}


def _init(file_seconds: float, memory_mb: int, findings: str | None, workdir: str) -> None:
    import logging

    from flows.ingest.limits import Limits
    from flows.ingest.parsing import init_worker

    logging.disable(logging.WARNING)  # pdfminer's warnings about damaged objects, thousands of them
    files = seeds()
    _state.update(
        files=files,
        data=[p.read_bytes() for p in files],
        findings=findings,
        workdir=Path(workdir),
    )
    init_worker("", Limits(memory_mb=memory_mb, file_seconds=file_seconds))


def _signature(reason: str) -> str:
    """``KeyError at pdf.py:123`` from a parser_error reason (the message itself varies per input)."""
    cls = reason.split(":", 1)[0]
    where = re.search(r" at (\S+:\d+)$", reason)
    return f"{cls} at {where.group(1)}" if where else cls


def _one(task: tuple[int, int]) -> dict:
    from flows.ingest.parsing import parse_file, sha256_file

    seed, index = task
    rng = random.Random(seed * 1_000_003 + index)
    files, data = _state["files"], _state["data"]
    k = rng.randrange(len(files))
    mutated, how = mutate(rng, files[k], data[k], data)
    path = _state["workdir"] / f"in-{os.getpid()}{files[k].suffix}"
    path.write_bytes(mutated)
    result = {"source": files[k].name, "how": how, "index": index}
    try:
        outcome = parse_file(str(path), sha256_file(path))
        result["code"] = "loaded" if outcome.ok else outcome.reason_code
        if outcome.reason_code == "parser_error":
            result["signature"] = _signature(outcome.reason or "")
            result["reason"] = outcome.reason
        elif outcome.reason_code in ("timeout", "resource_limit"):  # kept, so that the hang can be studied
            result["signature"] = f"{outcome.reason_code} {files[k].stem}"
            result["reason"] = outcome.reason
        result["seconds"] = outcome.seconds
    except BaseException as exc:  # noqa: BLE001 - this is what the fuzzer is looking for
        tb = traceback.extract_tb(exc.__traceback__)[-1:]
        where = f" at {Path(tb[0].filename).name}:{tb[0].lineno}" if tb else ""
        result["code"] = "uncaught"
        result["signature"] = f"{type(exc).__name__}{where}"
        result["reason"] = f"{type(exc).__name__}: {exc}"
    if "signature" in result and _state["findings"]:
        keep = Path(_state["findings"]) / (
            re.sub(r"[^A-Za-z0-9.]+", "-", result["signature"]) + files[k].suffix
        )
        if not keep.exists():
            keep.write_bytes(mutated)
            keep.with_suffix(keep.suffix + ".json").write_text(
                json.dumps(result, ensure_ascii=False, indent=1)
            )
    from flows.ingest.limits import _status_kb

    result["hwm_mb"] = (_status_kb("VmHWM") or 0) / 1024
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--file-timeout", type=float, default=60.0)
    parser.add_argument("--max-memory-mb", type=int, default=320)
    parser.add_argument("--findings", default=None, help="keep one input per new finding here")
    parser.add_argument("--progress-every", type=int, default=1000)
    args = parser.parse_args()
    if args.findings:
        Path(args.findings).mkdir(parents=True, exist_ok=True)
    codes: collections.Counter[str] = collections.Counter()
    errors: dict[str, dict] = {}
    peak = 0.0
    slowest = 0.0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="xxgk-fuzz-") as workdir:
        ctx = mp.get_context("forkserver")
        with ctx.Pool(
            args.jobs,
            _init,
            (args.file_timeout, args.max_memory_mb, args.findings, workdir),
            maxtasksperchild=2000,
        ) as pool:
            tasks = ((args.seed, i) for i in range(args.n))
            for done, result in enumerate(pool.imap_unordered(_one, tasks, chunksize=8), 1):
                codes[result["code"]] += 1
                peak = max(peak, result["hwm_mb"])
                slowest = max(slowest, result.get("seconds", 0.0))
                if result["code"] in ("parser_error", "uncaught"):
                    entry = errors.setdefault(result["signature"], {"count": 0, "example": result})
                    entry["count"] += 1
                if done % args.progress_every == 0:
                    rate = done / (time.perf_counter() - started)
                    print(
                        f"{done} inputs, {rate:.1f}/s, {dict(codes)}, {len(errors)} error kinds",
                        file=sys.stderr,
                        flush=True,
                    )
    seconds = time.perf_counter() - started
    report = {
        "inputs": args.n,
        "seed": args.seed,
        "jobs": args.jobs,
        "seconds": round(seconds, 1),
        "inputs_per_second": round(args.n / seconds, 2),
        "uncaught": codes.get("uncaught", 0),
        "parser_error": codes.get("parser_error", 0),
        "timeouts": codes.get("timeout", 0),
        "resource_limit": codes.get("resource_limit", 0),
        "peak_rss_mb": round(peak),
        "slowest_file_seconds": round(slowest, 1),
        "limits": {"file_timeout": args.file_timeout, "max_memory_mb": args.max_memory_mb},
        "codes": dict(codes.most_common()),
        "errors": {k: {"count": v["count"], "example": v["example"]} for k, v in errors.items()},
    }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
