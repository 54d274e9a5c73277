"""The "<5" rule: how village, town and ward counts are shown so that nobody can tell which neighbour complained.

A village, town or ward count (a "small-area" figure) is only ever shown
  1. over whole calendar months (lib.analytics.filters.whole_months): there is no village figure
     for a day or a week to set against the exact tehsil or district figure of that day;
  2. as 0, "<5" (1 to 4) or rounded to the nearest 5: every shown small-area figure is a multiple
     of 5 or "<5", so the difference of any two of them (two periods, with and without a tehsil,
     category or department filter, yesterday's page and today's) is a multiple of 5 and never
     gives away a count of 1 to 4;
  3. for a village or town only when it has at least 5 complaints in the view: the others are
     counted together under "Others", so the exact tehsil total minus the named villages is a sum
     over unnamed villages, never one village's count. Rankings and the top 20 follow the shown
     (rounded) values, names breaking ties, so an order does not reveal what rounding hid.
Tehsil, department and district figures stay exact: a tehsil is tens of villages, and no figure
names a village with fewer than 5 complaints to subtract them from.
"""
from __future__ import annotations

import pandas as pd

SMALL_GROUP = 5                    # groups smaller than this are not shown with their count
SUPPRESSED = "<5"
ROUND_TO = 5                       # small-area counts of 5 and more are rounded to a multiple of this


def is_suppressed(count) -> bool:
    return count is not None and 0 < int(count) < SMALL_GROUP


def shown_count(count) -> int | str:
    """A count as a village-, town- or ward-level view may show it: 0, "<5" for 1 to 4, else
    rounded to the nearest 5 (halves up: 7 is 5, 8 is 10)."""
    count = int(count or 0)
    if is_suppressed(count):
        return SUPPRESSED
    return ROUND_TO * ((count + ROUND_TO // 2) // ROUND_TO)


def suppress_small(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """A copy where each count column holds its shown value (an int, or "<5")."""
    shown = frame.copy()
    for column in columns:
        shown[column] = pd.Series([shown_count(v) for v in frame[column]], index=frame.index, dtype=object)
    return shown


def rank_value(shown) -> float:
    """Where a shown value sorts: "<5" between 0 and 5."""
    return SMALL_GROUP / 2 if shown == SUPPRESSED else float(shown)


def fold_places(frame: pd.DataFrame, others_name: str, limit: int | None = None,
                order: str = "received") -> pd.DataFrame:
    """Places (place_lgd, name, kind, received, pending: exact counts) as they may be shown: the
    ones with at least SMALL_GROUP complaints by name (at most `limit` of them, the most received
    first), then one "Others" row (place_lgd 0, kind "") summing all the rest. Counts are shown
    values; rows ordered by `order` ("received", "pending" or "name")."""
    big = frame[frame["received"] >= SMALL_GROUP].copy()
    big["shown"] = [shown_count(v) for v in big["received"]]
    big["rank"] = [rank_value(v) for v in big["shown"]]
    big = big.sort_values(["rank", "name"], ascending=[False, True])
    named = big.head(limit) if limit is not None else big
    rest = frame[~frame["place_lgd"].isin(named["place_lgd"])]
    shown = suppress_small(named[["place_lgd", "name", "kind", "received", "pending"]], ("received", "pending"))
    if order == "name":
        shown = shown.sort_values("name")
    elif order == "pending":
        shown = shown.assign(rank=[rank_value(v) for v in shown["pending"]],
                             second=[rank_value(v) for v in shown["received"]])
        shown = shown.sort_values(["rank", "second", "name"], ascending=[False, False, True])
        shown = shown.drop(columns=["rank", "second"])
    if len(rest) or len(named):
        # Always there once the tehsil has complaints, "<5" even when it holds none: an absent or
        # zero row would tell that the named villages are all the tehsil's complaints.
        others = {"place_lgd": 0, "name": others_name, "kind": "",
                  "received": shown_count(rest["received"].sum()), "pending": shown_count(rest["pending"].sum())}
        others = {k: (SUPPRESSED if v == 0 and k in ("received", "pending") else v) for k, v in others.items()}
        shown = pd.concat([shown, pd.DataFrame([others])], ignore_index=True)
        for column in ("received", "pending"):
            shown[column] = shown[column].astype(object)
    return shown.reset_index(drop=True)
