"""Reasons a file cannot be turned into a document. Each carries a stable code for the documents table."""

from __future__ import annotations


class ExtractError(Exception):
    """A file that cannot be read. ``code`` is stable (stored in ``documents.reason_code``)."""

    code = "unreadable"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class UnsupportedFormat(ExtractError):
    code = "unsupported_format"


class EmptyFile(ExtractError):
    code = "empty_file"


class CorruptFile(ExtractError):
    code = "corrupt_file"


class EncryptedFile(ExtractError):
    code = "encrypted"


class NoTextLayer(ExtractError):
    code = "no_text_layer"


class TooLarge(ExtractError):
    code = "too_large"


class TooDeep(ExtractError):
    """A page nested so deep that reading it would lose content (the parser stops at a depth limit)."""

    code = "too_deeply_nested"
