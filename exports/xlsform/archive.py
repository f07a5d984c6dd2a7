"""Checks an upload's zip before openpyxl reads it. An .xlsx is a zip of XML parts; a few
kilobytes can unpack to gigabytes, or to millions of tiny cells or texts that take minutes
and gigabytes to read. A questionnaire workbook is small: the default questionnaire's
unpacks to 62 kB in 12 parts, its largest part 27 kB. The limits below leave room for a
questionnaire a hundred times larger while bounding what reading any upload costs.

The sizes are the ones each part declares; Python's zipfile (which openpyxl uses) never
unpacks more than that. The counts are taken by streaming each XML part through expat, which
keeps no tree, and stop at the first limit passed."""

from __future__ import annotations

import zipfile
from typing import IO
from xml.parsers import expat

from exports.xlsform.layout import Source
from survey.messages import N_, Message, excerpt

MEGABYTE = 1024 * 1024
MAX_PARTS = 100  # Excel writes 10 to 20; images and printer settings add a few
MAX_PART_BYTES = 4 * MEGABYTE  # unpacked, each part
MAX_TOTAL_BYTES = 8 * MEGABYTE  # unpacked, all parts together
MAX_TEXTS = 50_000  # shared strings: each distinct text of the workbook
MAX_CELLS = 200_000  # cells written in all sheets, empty ones included (5 000 rows x 40)
MAX_ROW_CELLS = 1_000  # cells written in one row (the reader reads 100 columns)

_SPREADSHEETML = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
_CHUNK = 64 * 1024


class TooLarge(Exception):
    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def check_archive(source: Source) -> Message | None:
    """Why the workbook is too large to read, or None. A file that is no zip passes: openpyxl
    then says it is no workbook."""
    try:
        with zipfile.ZipFile(source) as archive:
            _check_sizes(archive.infolist())
            counts = _Counts()
            for part in archive.infolist():
                with archive.open(part) as stream:
                    counts.scan(stream)
    except TooLarge as too_large:
        return too_large.message
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError):
        return None  # damaged: openpyxl reports it as a file it cannot read
    finally:
        if not isinstance(source, str) and hasattr(source, "seek"):
            source.seek(0)
    return None


def _check_sizes(parts: list[zipfile.ZipInfo]) -> None:
    if len(parts) > MAX_PARTS:
        message = Message(
            N_("the workbook holds more than %(limit)d files: it cannot be a questionnaire"),
            limit=MAX_PARTS,
        )
        raise TooLarge(message)
    for part in parts:
        if part.file_size > MAX_PART_BYTES:
            message = Message(
                N_("%(part)s unpacks to more than %(limit)d MB: it cannot be a questionnaire"),
                part=excerpt(part.filename),
                limit=MAX_PART_BYTES // MEGABYTE,
            )
            raise TooLarge(message)
    if sum(part.file_size for part in parts) > MAX_TOTAL_BYTES:
        message = Message(
            N_("the workbook unpacks to more than %(limit)d MB: it cannot be a questionnaire"),
            limit=MAX_TOTAL_BYTES // MEGABYTE,
        )
        raise TooLarge(message)


class _Counts:
    """Texts and cells counted across the XML parts, whatever their names."""

    def __init__(self) -> None:
        self.texts = 0
        self.cells = 0
        self.row_cells = 0

    def scan(self, stream: IO[bytes]) -> None:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        try:
            while chunk := stream.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
        except expat.ExpatError:
            return  # not XML (an image) or damaged XML: openpyxl decides

    def start(self, name: str, _attributes: dict[str, str]) -> None:
        namespace, _, local = name.rpartition(" ")
        if namespace not in _SPREADSHEETML:
            return
        if local == "si":
            self.texts += 1
            if self.texts > MAX_TEXTS:
                raise TooLarge(
                    Message(N_("the workbook holds more than %(limit)d texts"), limit=MAX_TEXTS)
                )
        elif local == "row":
            self.row_cells = 0
        elif local == "c":
            self.cells += 1
            self.row_cells += 1
            if self.row_cells > MAX_ROW_CELLS:
                raise TooLarge(
                    Message(N_("a row holds more than %(limit)d cells"), limit=MAX_ROW_CELLS)
                )
            if self.cells > MAX_CELLS:
                raise TooLarge(
                    Message(N_("the workbook holds more than %(limit)d cells"), limit=MAX_CELLS)
                )
