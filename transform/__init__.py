"""Document model → report (metadata, sections, facts). Knows reports; knows nothing of file formats or databases."""

from transform.report import Check, Fact, NotAReport, Report, Section

__all__ = ["Check", "Fact", "NotAReport", "Report", "Section", "build_report"]


def build_report(document) -> Report:
    from transform.build import build_report as _build

    return _build(document)
