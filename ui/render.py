"""Streamlit rendering of one answer: text, refusal, what was understood, dose check, cited sources.

Only presentation lives here. Verdicts, limits and citations come from `Answer` as the assistant built
them; this module adds colour and layout, never a number of its own.
"""

from __future__ import annotations

from typing import Any, Literal

import streamlit as st

from assistant import VERDICT_LABELS, Answer, Citation, DoseCheck, Finding, Verdict
from ui.inputs import escape_all, escape_answer, fmt_num, fmt_value, quote_block, shown_facts

# verdict -> (badge colour, icon); the words are the core's VERDICT_LABELS. Hard stops red, soft amber, clear
# green, unknown grey.
BadgeColor = Literal["red", "orange", "green", "gray"]
VERDICT_STYLES: dict[Verdict, tuple[BadgeColor, str]] = {
    "contraindicated": ("red", ":material/block:"),
    "above_max": ("red", ":material/block:"),
    "exceeds_titration_step": ("orange", ":material/warning:"),
    "caution": ("orange", ":material/warning:"),
    "within_limits": ("green", ":material/check_circle:"),
    "unable_to_check": ("gray", ":material/help:"),
}
SEVERITY = {
    "hard": ("red", ":material/block:"),
    "soft": ("orange", ":material/warning:"),
    "info": ("gray", ":material/info:"),
}
REFUSAL_ICON = ":material/search_off:"
ERROR_ICON = ":material/error:"


def verdict_style(dc: DoseCheck) -> tuple[str, BadgeColor, str]:
    """Label, colour and icon for a dose check; a hard stop is red whatever the verdict word."""
    label = VERDICT_LABELS[dc.verdict]
    color, icon = VERDICT_STYLES[dc.verdict]
    if dc.hard_stop:
        color, icon = "red", ":material/block:"
    return label, color, icon


def render_refusal(answer: Answer) -> None:
    st.info(escape_answer(answer.text), icon=REFUSAL_ICON, title="Not answered from the guidelines")


def render_understood(understood: dict[str, Any]) -> None:
    """Facts the assistant read from the question and conversation, so a misreading is visible."""
    shown = shown_facts(understood)
    if not shown:
        return
    facts = " · ".join(f"{escape_all(name)}: **{escape_all(value)}**" for name, value in shown)
    st.caption(f":material/psychology: Understood from your question: {facts}")


def _finding(f: Finding) -> None:
    color, icon = SEVERITY.get(f.severity, ("gray", ":material/info:"))
    st.markdown(f":{color}[{icon}] {escape_all(f.message)} `{f.verdict}`")
    if f.limit or f.citation:
        parts = []
        if f.limit:
            parts.append(f"Limit: **{escape_all(f.limit)}**")
        if f.citation:
            parts.append(f"source: {escape_all(f.citation.doc_id)} › {escape_all(f.citation.section)}")
        st.caption(" — ".join(parts))
        if f.citation:
            st.markdown(quote_block(f.citation.quote))


def render_dose_check(dc: DoseCheck, key: str) -> None:
    """The verdict as a coloured badge, what was checked, and every finding with its limit and source."""
    label, color, icon = verdict_style(dc)
    with st.container(border=True, key=f"dose-check-{key}"):
        st.badge(f"Dose check: {label}" + (" — hard stop" if dc.hard_stop else ""), icon=icon, color=color)
        what = f"{escape_all(dc.drug)} **{escape_all(dc.dose)}**"
        if dc.daily_dose_mg is not None:
            daily = fmt_num(dc.daily_dose_mg)
            if dc.daily_dose_max_mg is not None and dc.daily_dose_max_mg != dc.daily_dose_mg:
                daily += f"–{fmt_num(dc.daily_dose_max_mg)}"
            if dc.dose.replace(" ", "") != f"{daily}mg/day":
                what += f" (= {daily} mg/day)"
        st.markdown(
            f"Checked {what} · route {escape_all(dc.route)} · indication {escape_all(dc.indication or 'unknown')} · "
            f"verdict `{dc.verdict}`"
        )
        if dc.reason:
            st.markdown(f"**Why it could not be checked:** {escape_all(dc.reason)}")
        if dc.limits_applied:
            st.caption(f"Limits applied: {escape_all(dc.limits_applied)}")
        if dc.patient:
            st.caption(
                "Patient facts used: "
                + ", ".join(f"{escape_all(k)} {escape_all(fmt_value(v))}" for k, v in dc.patient.items())
            )
        for f in (f for f in dc.findings if f.severity != "info"):
            _finding(f)
        notes = [f for f in dc.findings if f.severity == "info"]
        if notes:
            with st.expander(
                f"All limits checked and notes ({len(notes)})", icon=":material/rule:", key=f"dose-notes-{key}"
            ):
                for f in notes:
                    _finding(f)


def _citation(c: Citation) -> None:
    page = f", p. {c.page}" if c.page is not None else ""
    st.markdown(f"**\\[{c.n}\\] {escape_all(c.title)}** — {escape_all(c.section)}{page}")
    refs = ", ".join(str(r) for r in c.refs) if c.refs else "none given"
    st.caption(f"Guideline's own references: {refs} · chunk `{c.chunk_id}`")
    st.markdown(quote_block(c.text))


def render_citations(citations: list[Citation], key: str) -> None:
    """One click opens every cited passage, word for word."""
    if not citations:
        return
    marks = ", ".join(f"[{c.n}]" for c in citations)
    with st.expander(f"Sources {marks}", icon=":material/menu_book:", key=f"sources-{key}"):
        for c in citations:
            _citation(c)


def render_answer(answer: Answer, key: str) -> None:
    """Everything the clinician needs to check one answer."""
    if answer.dose_check is not None:  # the deterministic verdict first: a hard stop must not be scrolled past
        render_dose_check(answer.dose_check, key)
    if answer.refused:
        render_refusal(answer)
    else:
        st.markdown(escape_answer(answer.text))
    render_understood(answer.understood)
    render_citations(answer.citations, key)
    render_backend(answer)
    if answer.guard.removed:
        n = len(answer.guard.removed)
        st.caption(
            f":material/shield: The guard removed {n} sentence{'s' if n != 1 else ''} "
            "that its citations did not support."
        )


def streaming_text(text: str) -> str:
    """A streamed LLM answer so far: only sentences that have passed the guard reach this point."""
    return escape_answer(text) + " ▍"


def render_backend(answer: Answer) -> None:
    """Which writer produced the text, and any note (an unavailable backend, a fallback to the extractive answer)."""
    backend = getattr(answer, "backend", "none")
    if backend != "none":
        how = (
            "extractive answer (fallback)"
            if answer.guard.fallback
            else "written by the language model, checked by the guard"
        )
        st.caption(f":material/smart_toy: Backend `{escape_all(backend)}`: {how}.")
    for note in getattr(answer, "notes", []):
        st.warning(escape_all(note), icon=":material/warning:")


def render_error(message: str) -> None:
    st.error(escape_all(message), icon=ERROR_ICON)


def render_corpus(status: Any, library: list[Any] | None = None) -> None:
    """Indexed guidelines: drug(s), chunk count, source date and when each was indexed (or the short status list)."""
    docs = list(library or getattr(status, "documents", []) or [])
    if not docs:
        st.warning("No guideline is indexed yet.", icon=":material/warning:")
    for doc in docs:
        doc_id, title, chunks = doc if isinstance(doc, (tuple, list)) else (doc.doc_id, doc.title, doc.chunks)
        line = f"- **{escape_all(str(title))}** (`{doc_id}`): {chunks} chunks"
        drugs = ", ".join(getattr(doc, "drugs", []) or [])
        details = [
            f"drug: {escape_all(drugs)}" if drugs else "drug: not named",
            f"source date: {escape_all(getattr(doc, 'source_date', '') or 'not given')}",
        ]
        if getattr(doc, "pages", None):
            details.append(f"PDF, {doc.pages} pages")
        if getattr(doc, "superseded_by", ""):
            details.append(f"superseded by {escape_all(doc.superseded_by)}")
        if getattr(doc, "indexed_at", ""):
            details.append(f"indexed {escape_all(doc.indexed_at)}")
        st.markdown(line + ("  \n  " + " · ".join(details) if library else ""))
    for drug, why in sorted((getattr(status, "rules_refused", None) or {}).items()):
        st.error(f"Rules for {escape_all(drug)} refused, its doses are not checked: {escape_all(why)}")
    st.caption(f"Index built: {getattr(status, 'built_at', None) or 'unknown'}")


def reindex_summary(result: Any) -> tuple[str, list[str]]:
    """One line for the store change, plus the documents that could not be read."""
    r = result.report
    line = f"Re-indexed: {r.added} added, {r.removed} removed, {r.unchanged} unchanged; {r.total} chunks in the index."
    return line, list(getattr(result, "errors", []) or [])
