"""OCR benchmark (not a test): seconds per scanned page and peak memory of the OCR path, on one core.

    python benchmarks/ocr.py                                  # the committed corpus scans
    python benchmarks/ocr.py ../shared/corpus/*/*.scanned.pdf --json-out /tmp/ocr.jsonl

Each page is timed from rendering to the finished page model (``extract.pdf``'s OCR step: render,
deskew, rulings, detection + recognition, the second reading of value cells), with onnxruntime and
OpenCV on one thread (``XXGK_OCR_THREADS=1``, the parser workers' setting). The first page also pays
the engine start (model load, about a second); it is reported separately and left out of the per-page
figures. Prints one JSON object per document and a summary: median and max seconds per page, peak RSS
of this process (``ru_maxrss``: the worker's footprint when it reads scans). Seconds are given twice:
wall clock, and CPU seconds of this process (``time.process_time``), which is what one free core would
take when the machine is shared (everything runs on one thread, so CPU time is not inflated by
parallelism, only wall time by other load).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("XXGK_OCR_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from extract import ocr  # noqa: E402
from extract.pdf import _image_dpi, _Renderer  # noqa: E402


def _pages(path: Path) -> list[tuple[int, tuple[float, float, float, float], float]]:
    import pdfplumber

    out = []
    with pdfplumber.open(path) as pdf:
        for i, page in enumerate(pdf.pages):
            if page.images and not page.chars:
                dpi = max(_image_dpi(im) for im in page.images)
                out.append((i, (0.0, 0.0, float(page.width), float(page.height)), dpi))
            page.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pdfs", nargs="*", type=Path)
    ap.add_argument("--json-out", type=Path)
    args = ap.parse_args()
    pdfs = args.pdfs or sorted((ROOT / "tests" / "corpus").rglob("*.scanned.pdf"))
    t0 = time.perf_counter()
    ocr.engine()
    start = time.perf_counter() - t0
    per_page: list[float] = []
    cpu_page: list[float] = []
    records = []
    for path in pdfs:
        renderer = _Renderer(path)
        times, cpu = [], []
        try:
            for index, box, dpi in _pages(path):
                t, c = time.perf_counter(), time.process_time()
                gray = renderer.gray(index, box, dpi)
                ocr.read_image(gray, origin=(box[0], box[1]), scale=72 / dpi, dpi=dpi)
                times.append(time.perf_counter() - t)
                cpu.append(time.process_time() - c)
        finally:
            renderer.close()
        per_page.extend(times)
        cpu_page.extend(cpu)
        rec = {
            "document": path.name,
            "pages": len(times),
            "seconds": [round(s, 2) for s in times],
            "cpu_seconds": [round(s, 2) for s in cpu],
        }
        records.append(rec)
        print(json.dumps(rec, ensure_ascii=False), flush=True)
    summary = {
        "documents": len(pdfs),
        "pages": len(per_page),
        "engine_start_s": round(start, 2),
        "median_s_per_page": round(statistics.median(per_page), 2) if per_page else None,
        "max_s_per_page": round(max(per_page), 2) if per_page else None,
        "median_cpu_s_per_page": round(statistics.median(cpu_page), 2) if cpu_page else None,
        "max_cpu_s_per_page": round(max(cpu_page), 2) if cpu_page else None,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_1min": round(os.getloadavg()[0], 2),
        "threads": int(os.environ["XXGK_OCR_THREADS"]),
    }
    print(json.dumps(summary), flush=True)
    if args.json_out:
        with args.json_out.open("a", encoding="utf-8") as fh:
            for rec in [*records, summary]:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
