"""What the citizen is shown and can download after filing: the complaint's summary in their language."""
from __future__ import annotations

import html
from datetime import datetime
from zoneinfo import ZoneInfo

from lib.citizen.filing import FormChoices
from lib.core.i18n import name_in, t
from lib.citizen.tracking import PublicComplaint

IST = ZoneInfo("Asia/Kolkata")


def format_time(moment: datetime) -> str:
    """Times are always shown in Indian Standard Time, and say so."""
    return moment.astimezone(IST).strftime("%d-%m-%Y %H:%M IST")


def summary_rows(language: str, complaint: PublicComplaint, choices: FormChoices,
                 centre: str | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs of the complaint's summary. Values are plain text, never markup.
    `centre`: the CSC / SARAL Kendra where an operator filed it for the citizen (assisted filing)."""
    place = choices.places.get(complaint.place_lgd)
    place_name = name_in(language, place.name_en, place.name_hi) if place else "—"
    if complaint.department_code and complaint.department_code in choices.departments:
        en, hi = choices.departments[complaint.department_code]
        department = name_in(language, en, hi)
    else:
        department = t(language, "form.department.not_sure")
    cat_en, cat_hi, _ = choices.categories.get(complaint.category_code, ("—", "—", None))
    rows = [
        (t(language, "ack.tracking_no"), complaint.tracking_no),
        (t(language, "summary.filed_at"), format_time(complaint.filed_at)),
        (t(language, "summary.status"), t(language, f"status.{complaint.status}")),
        (t(language, "summary.place"), place_name),
    ]
    if complaint.ward is not None:
        rows.append((t(language, "summary.ward"), str(complaint.ward)))
    rows += [
        (t(language, "summary.category"), name_in(language, cat_en, cat_hi)),
        (t(language, "summary.department"), department),
        (t(language, "summary.subject"), complaint.subject),
        (t(language, "summary.id"), complaint.masked_id),
    ]
    if centre:
        rows.append((t(language, "summary.centre"), centre))
    return rows


def receipt_text(language: str, complaint: PublicComplaint, choices: FormChoices, centre: str | None = None) -> str:
    """A plain UTF-8 text receipt (opens on any phone; carries no personal data beyond the masked ID)."""
    lines = [t(language, "receipt.heading"), "=" * 40]
    lines += [f"{label}: {value}" for label, value in summary_rows(language, complaint, choices, centre)]
    lines += ["", t(language, "receipt.footer")]
    return "\n".join(lines) + "\n"


def receipt_html(language: str, complaint: PublicComplaint, choices: FormChoices, centre: str | None = None) -> str:
    """The same receipt as a page to print and hand to the citizen (a CSC's printer): one A5-sized
    table, no script, every value escaped."""
    rows = "".join(f"<tr><th>{html.escape(label)}</th><td>{html.escape(value)}</td></tr>"
                   for label, value in summary_rows(language, complaint, choices, centre))
    heading = html.escape(t(language, "receipt.heading"))
    return (f'<!DOCTYPE html><html lang="{html.escape(language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(complaint.tracking_no)}</title><style>"
            "@page{size:A5;margin:12mm}body{font-family:'Noto Sans Devanagari','Noto Sans',sans-serif;margin:0}"
            "table{border-collapse:collapse;width:100%}th,td{border:1px solid #444;padding:4px 6px;text-align:left;"
            "vertical-align:top}th{width:40%}</style></head>"
            f"<body><h1>{heading}</h1><table>{rows}</table>"
            f"<p>{html.escape(t(language, 'receipt.footer'))}</p></body></html>\n")
