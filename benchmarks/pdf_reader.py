"""The PDF reader alone, in one process (a benchmark, not a test): CPU per page and per document with
each engine, pages pdfium left to pdfplumber, and resident memory over a long loop (handles closed?).

    python benchmarks/pdf_reader.py cpu --repeat 3          # ms of CPU per document / page, both engines
    python benchmarks/pdf_reader.py rss --n 1000            # RSS every 100 documents, pdfium engine

The documents are the committed corpus PDFs (seeds + synthetic, scans left out), read with OCR off, as
``extract.pdf.read`` does in a parser worker. CPU is ``time.process_time`` of this process, which load
from other processes distorts far less than wall time; the 1-minute load average is printed with it.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extract import pdf, pdfium_layer  # noqa: E402

CORPUS = ROOT / "tests" / "corpus"


def corpus() -> list[Path]:
    return sorted(
        p for sub in ("seeds", "synthetic") for p in (CORPUS / sub).glob("*.pdf") if ".scanned." not in p.name
    )


def _fallbacks() -> collections.Counter[str]:
    """Count the layer's fallback reasons over the documents read from now on."""
    seen: collections.Counter[str] = collections.Counter()
    close = pdfium_layer.Layer.close

    def counting_close(self: pdfium_layer.Layer) -> None:
        seen.update(self.fallbacks)
        self.fallbacks = {}
        close(self)

    pdfium_layer.Layer.close = counting_close  # type: ignore[method-assign]
    return seen


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def cmd_cpu(args: argparse.Namespace) -> None:
    files = corpus()
    pages = sum(int(pdf.read(f, ocr=False, engine="pdfminer").meta["pages"]) for f in files)
    fallbacks = _fallbacks()
    for engine in ("pdfminer", "pdfium"):
        for f in files:  # warm: imports, caches of the transform-independent reader
            pdf.read(f, ocr=False, engine=engine)
        fallbacks.clear()
        started = time.process_time()
        for _ in range(args.repeat):
            for f in files:
                pdf.read(f, ocr=False, engine=engine)
        cpu = (time.process_time() - started) / args.repeat
        record = {
            "measure": "pdf_reader_cpu",
            "engine": engine,
            "documents": len(files),
            "pages": pages,
            "ms_per_document": round(cpu * 1000 / len(files), 1),
            "ms_per_page": round(cpu * 1000 / pages, 2),
            "pages_left_to_pdfplumber": dict(fallbacks) if engine == "pdfium" else None,
            "load_avg_1min": os.getloadavg()[0],
        }
        print(json.dumps(record, ensure_ascii=False), flush=True)


def cmd_rss(args: argparse.Namespace) -> None:
    files = corpus()
    samples = []
    started = time.process_time()
    for i in range(1, args.n + 1):
        pdf.read(files[i % len(files)], ocr=False)
        if i % args.every == 0 or i == 1:
            samples.append((i, round(_rss_mb(), 1)))
    print(
        json.dumps(
            {
                "measure": "pdf_reader_rss",
                "documents": args.n,
                "rss_mb_by_document": samples,
                "cpu_s": round(time.process_time() - started, 1),
                "load_avg_1min": os.getloadavg()[0],
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(required=True)
    p = sub.add_parser("cpu", help="CPU per document and page, pdfminer and pdfium engines")
    p.add_argument("--repeat", type=int, default=3)
    p.set_defaults(func=cmd_cpu)
    p = sub.add_parser("rss", help="resident memory over a loop of documents")
    p.add_argument("--n", type=int, default=1000)
    p.add_argument("--every", type=int, default=100)
    p.set_defaults(func=cmd_rss)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
