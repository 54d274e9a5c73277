"""A page of plain information (help, contact, accessibility): a title, headed paragraphs, links.

The three GIGW pages differ only in their texts, so each page names its catalog keys and this draws them.
"""
from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from lib.ui.frame import tr


def show(title: str, sections: Sequence[tuple[str | None, str]],
         links: Sequence[tuple[str, str, str]] = (), intro: str | None = None,
         caption: str | None = None) -> None:
    """`sections` are (heading key or None, body key); `links` are (page file, label key, icon)."""
    st.title(tr(title))
    if intro:
        st.caption(tr(intro))
    for heading, body in sections:
        if heading:
            st.subheader(tr(heading))
        st.markdown(tr(body))
    for page, label, icon in links:
        st.page_link(page, label=tr(label), icon=icon)
    if caption:
        st.caption(tr(caption))
