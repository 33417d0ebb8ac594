"""What the app sends as a file to save: a table as CSV or as an Excel workbook, or any content, under a safe name."""

from __future__ import annotations

import io
import re

import pandas as pd
from fastapi import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def attachment(content: bytes, filename: str, media_type: str) -> Response:
    """``content`` to save as ``filename``, made safe for the header (a name may be user input)."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", filename).strip("-.") or "download"
    return Response(content, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{safe}"'})


def table_file(frame: pd.DataFrame, name: str, sheet: str, suffix: str) -> Response:
    """``frame`` as ``name`` (``suffix`` csv or xlsx; in a workbook, on the sheet ``sheet``)."""
    if suffix == "csv":
        return attachment(frame.to_csv(index=False).encode("utf-8"), name, CSV)
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
    return attachment(buffer.getvalue(), name, XLSX)


__all__ = ["CSV", "XLSX", "attachment", "table_file"]
