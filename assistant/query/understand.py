"""Read a conversation into a Query: the drug it is about, the question kind, every number with its role,
how the doses relate, the patient facts of all user turns, the population and the candidate indications.
What could not be read is listed in `not_understood`, so a dose verdict can never be green on a guess."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel, Field

from assistant.query.anaphora import MAX_CARRIED, carried, lost, refers_back
from assistant.query.borrowed import bare_targets
from assistant.query.concepts import UnreadMention, unread_mentions
from assistant.query.doses import DoseMention, DosePlan, DoseReading, attribute, plan, relation, start_mark
from assistant.query.facts import read_facts, start_of_current_patient
from assistant.query.indications import candidates, foreign_routes, names_an_indication
from assistant.query.indications import context as indication_context
from assistant.query.indications import route as named_route
from assistant.query.intent import IntentReader
from assistant.query.lexicon import Lexicon
from assistant.query.numbers import DoseSpan, NumberRole, dose_spans, read_numbers
from assistant.query.subjects import DrugMention, drug_mentions
from assistant.query.titration import chains, steps
from assistant.text.number_words import numbers_for_words
from assistant.types import Patient

OWN_INTENT_MIN = (
    0.45  # below this a follow-up's own wording is too thin to say what it asks; calibrated on multi-turn cases
)


class Query(BaseModel):
    """What the assistant understood from a message and the conversation before it."""

    message: str = Field(description="The user's message as typed.")
    search_text: str = Field(description="Message with conversation context, for retrieval.")
    intent: str = Field(description="Question kind (corpus/intents.toml), 'dose' for a proposed dose, or 'general'.")
    intent_score: float = Field(default=0.0, description="Mean similarity to the kind's nearest examples.")
    intent_margin: float = Field(default=0.0, description="Lead of the kind over the runner-up kind.")
    drug: str | None = Field(default=None, description="The covered drug the question is about.")
    drug_assumed: bool = Field(default=False, description="No drug named: the library's only drug was assumed.")
    indication: str | None = Field(default=None, description="The one indication named, if exactly one.")
    indications: list[str] = Field(default_factory=list, description="Candidate indications (several when ambiguous).")
    route: str | None = None
    readings: list[DoseReading] = Field(default_factory=list, description="Every plausible reading of the doses.")
    doses: list[str] = Field(default_factory=list, description="Dose expressions checked, in order.")
    previous_dose: str | None = Field(default=None, description="Current dose when a change is proposed.")
    interval_days: float | None = None
    patient: Patient = Field(default_factory=Patient, description="Facts written in the conversation (latest wins).")
    patient_ranges: dict[str, tuple[float, float]] = Field(default_factory=dict, description="Facts stated as ranges.")
    numbers: list[NumberRole] = Field(
        default_factory=list, description="Every number of the user's turns, with its role."
    )
    not_understood: list[str] = Field(default_factory=list, description="What was written and could not be read.")
    dose_notes: list[str] = Field(
        default_factory=list, description="What could not be read about the doses themselves (their plan and route)."
    )
    assumptions: list[str] = Field(default_factory=list, description="What was assumed because nothing was said.")
    mentions: list[DrugMention] = Field(default_factory=list, description="Drugs and substances named.")
    not_covered: list[str] = Field(
        default_factory=list, description="Named drugs or substances the library does not cover."
    )
    other_doses: list[str] = Field(
        default_factory=list, description="Doses written for another drug (never checked as this one)."
    )
    unread_mentions: list[UnreadMention] = Field(
        default_factory=list, description="Patient facts named in words whose value or state was not read."
    )
    is_followup: bool = False
    names_topic: bool = Field(default=False, description="The conversation names an indication of the library.")


class Reader:
    """The question reader: vocabulary from data, intent by meaning."""

    def __init__(
        self,
        lexicon: Lexicon,
        intents: IntentReader,
        embed_query: Callable[[str], list[float]],
        default_drug: str | None,
        embed_with: Callable[[str, str], list[float]] | None = None,
    ) -> None:
        """`embed_with(text, next_text)`: the vector of `text`, computed in one model call with `next_text`, the text
        the caller will embed next (the retrieval query), so a reply costs one model call, not two."""
        self.lexicon, self.intents, self.embed_query, self.default_drug = lexicon, intents, embed_query, default_drug
        self.embed_with = embed_with

    def understand(self, message: str, previous_user_turns: list[str], carry_depth: int = 0) -> Query:
        """`carry_depth`: how many patients back a dose referred to ('the same dose') has already been followed."""
        lx = self.lexicon
        every = [numbers_for_words(t) for t in (*previous_user_turns, message)]  # 'eGFR twenty' is eGFR 20
        start = start_of_current_patient(every, lx)
        turns = every[start:]
        followup = _is_followup(message, len(turns) > 1, lx)
        mentions = [drug_mentions(t, lx) for t in turns]
        names_indication = names_an_indication(lx, turns)
        if any(m.covered for ms in mentions for m in ms) or names_indication:
            # generic words ('medications', 'the tablets') then stand for the library's drug, not another one
            mentions = [[m for m in ms if not m.generic] for ms in mentions]
        drug, assumed, not_covered = self._subject(mentions, message)
        stated = [[(s.start, s.end) for s in steps(t, lx)] for t in turns]  # titration steps: never doses
        spans = [[*_outside(dose_spans(t), st), *_vague_doses(t, lx)] for t, st in zip(turns, stated, strict=True)]
        for i, t in enumerate(turns):  # 'go up one step to 30': a bare number in the unit of the daily dose before it
            earlier = next((d for ds in reversed(spans[:i]) for d in reversed(ds)), None)
            spans[i] = sorted([*spans[i], *bare_targets(t, spans[i], lx, earlier)], key=lambda d: d.start)
            stated[i] += [(c.start, c.end) for c in chains(t, spans[i], lx)]  # a titration history, in that unit
        numbers, unclaimed = [], []
        for t, s, m, st in zip(turns, spans, mentions, stated, strict=True):
            roles, left = read_numbers(t, lx, [(d.start, d.end) for d in s] + [(x.start, x.end) for x in m] + st)
            numbers.append(roles)
            unclaimed += left
        dose_list, other = _dose_mentions(turns, spans, mentions, drug, lx)
        dose_plan = plan(dose_list, drug, turns, numbers, lx) if drug else None
        if start and not any(spans) and refers_back(message, lx) and any(dose_spans(t) for t in every[:start]):
            drug, assumed, dose_plan = self._carried(message, previous_user_turns[:start], carry_depth, (drug, assumed))
        facts = read_facts(numbers, turns, lx)
        indications, read_as = candidates(lx, drug, turns)
        context = indication_context(lx, previous_user_turns, message, drug) if followup else ""
        masked = _masked(message, mentions[-1], self.lexicon, drug)
        masked_context = _masked(context, [], self.lexicon, drug)
        search_text = f"{message} {context}".strip()
        intent, score, margin = self._intent(
            masked, masked_context, bool(dose_plan and dose_plan.readings), search_text
        )
        readings = dose_plan.readings if dose_plan else []
        not_understood = [f"the number {n} (no role could be given to it)" for n in unclaimed]
        not_understood += (dose_plan.not_understood if dose_plan else []) + facts.not_understood
        renal_known = any(
            k in facts.patient.known() or k in facts.ranges for k in ("egfr", "crcl", "dialysis", "renal_impairment")
        )
        if not renal_known and any(n.role == "renal_lab" for ns in numbers for n in ns):
            not_understood.append(
                "a kidney lab value (such as creatinine or urea) without an eGFR: the renal limits could not be checked"
            )
        assumptions = [*facts.notes, *read_as]
        if assumed and drug:
            assumptions.append(f"no drug named: the library's only drug with dose rules ({drug}) was assumed")
        route = named_route(lx, drug, turns) or (dose_plan.route if dose_plan else None)
        dose_notes = [*(dose_plan.not_understood if dose_plan else []), *foreign_routes(lx, drug, turns)]
        not_understood += foreign_routes(lx, drug, turns)
        return Query(
            message=message,
            search_text=search_text,
            intent=intent,
            intent_score=score,
            intent_margin=margin,
            drug=drug,
            drug_assumed=assumed,
            indication=indications[0] if len(indications) == 1 else None,
            indications=indications,
            route=route,
            readings=readings,
            doses=[r.dose for r in readings],
            previous_dose=next((r.previous for r in readings if r.previous), None),
            interval_days=next((r.interval_days for r in readings if r.interval_days is not None), None),
            patient=facts.patient,
            patient_ranges=facts.ranges,
            numbers=[n for ns in numbers for n in ns],
            not_understood=not_understood,
            dose_notes=dose_notes,
            assumptions=assumptions,
            mentions=[m for ms in mentions for m in ms],
            not_covered=not_covered,
            other_doses=other,
            unread_mentions=unread_mentions(turns, numbers, lx),
            is_followup=followup,
            names_topic=names_indication
            or named_route(lx, drug, turns, hints=False) is not None
            or bool(facts.patient.known())
            or bool(facts.ranges),
        )

    def _subject(self, mentions: list[list[DrugMention]], message: str) -> tuple[str | None, bool, list[str]]:
        """(drug, assumed?, uncovered names): the latest covered drug named, else the library's only drug when
        nothing uncovered is named; uncovered names of the last message are reported."""
        covered = [m.name for ms in mentions for m in ms if m.covered]
        latest = mentions[-1]
        # Named in the user's own words, so the refusal states nothing the user did not write.
        not_covered = list(dict.fromkeys(m.text or m.name for m in latest if not m.covered))
        covered_latest = [m.name for m in latest if m.covered]
        if covered_latest:
            return covered_latest[0], False, not_covered
        if not_covered:
            return None, False, not_covered
        if covered:
            return covered[-1], False, []
        earlier_uncovered = [m.text or m.name for ms in mentions[:-1] for m in ms if not m.covered]
        if earlier_uncovered:
            return None, False, list(dict.fromkeys(earlier_uncovered))
        return self.default_drug, self.default_drug is not None, []

    def _carried(
        self, message: str, earlier_turns: list[str], depth: int, subject: tuple[str | None, bool]
    ) -> tuple[str | None, bool, DosePlan]:
        """(drug, assumed?, plan) for a dose referred back to across patients: the earlier patient's doses, read as
        that conversation was read, as doses for the new patient; grey when they cannot be followed back."""
        (drug, assumed), last = subject, earlier_turns[-1]
        earlier = self.understand(last, earlier_turns[:-1], depth + 1) if depth < MAX_CARRIED else None
        if earlier is None or not earlier.readings or (drug and not assumed and earlier.drug != drug):
            notes = earlier.dose_notes if earlier is not None and earlier.drug == drug else []
            return drug, assumed, DosePlan(not_understood=notes or [lost(message)])
        readings = carried(earlier.readings)
        return (
            earlier.drug,
            earlier.drug_assumed,
            DosePlan(readings=readings, not_understood=earlier.dose_notes, route=earlier.route),
        )

    def _intent(self, message: str, context: str, has_dose: bool, search_text: str) -> tuple[str, float, float]:
        if has_dose:
            return "dose", 1.0, 1.0
        vector = self.embed_with(message, search_text) if self.embed_with else self.embed_query(message)
        kind, score, margin = self.intents.read(vector, message)
        if context and score < OWN_INTENT_MIN:
            both = f"{context} {message}"
            kind, score, margin = self.intents.read(self.embed_query(both), both)
        return kind, score, margin


def _masked(text: str, mentions: list[DrugMention], lexicon: Lexicon, drug: str | None) -> str:
    """The question with drug names and indication words replaced by neutral words, so that its kind is read from
    what it asks, not from what it is about (the intent examples are written for any drug)."""
    out = text
    for m in sorted(mentions, key=lambda x: -x.start):
        out = out[: m.start] + "the medicine" + out[m.end :]
    for pattern in lexicon.indication_terms.get(drug or "", {}).values():
        out = pattern.sub("the condition", out)
    for pattern in lexicon.ambiguous_indications.values():
        out = pattern.sub("the condition", out)
    return out


def _is_followup(message: str, has_history: bool, lexicon: Lexicon) -> bool:
    if not has_history:
        return False
    start, anaphora = lexicon.patterns.get("followup.start"), lexicon.patterns.get("followup.anaphora")
    starts = bool(start and start.search(message))
    refers = bool(anaphora and anaphora.search(message))
    return starts or refers or len(message.split()) <= lexicon.followup_max_words


def _outside(spans: list[DoseSpan], taken: list[tuple[int, int]]) -> list[DoseSpan]:
    return [d for d in spans if not any(d.start < e and s < d.end for s, e in taken)]


def _vague_doses(text: str, lexicon: Lexicon) -> list[DoseSpan]:
    pattern = lexicon.patterns.get("doses.vague")
    if pattern is None:
        return []
    return [
        DoseSpan(text=m.group(0), expression=m.group(0), start=m.start(), end=m.end()) for m in pattern.finditer(text)
    ]


def _dose_mentions(
    turns: list[str], spans: list[list[DoseSpan]], mentions: list[list[DrugMention]], drug: str | None, lexicon: Lexicon
) -> tuple[list[DoseMention], list[str]]:
    """Doses with their drug and relation; doses of other drugs are returned apart, never checked as `drug`."""
    out: list[DoseMention] = []
    other: list[str] = []
    for i, (text, found) in enumerate(zip(turns, spans, strict=True)):
        found = sorted(found, key=lambda s: s.start)
        owners = attribute(found, mentions[i], text, drug)
        previous_end = 0
        first = True
        for span, owner in zip(found, owners, strict=True):
            if owner != drug:
                other.append(f"{span.text} ({owner})")
                continue
            rel = relation(text, span, previous_end, first, lexicon)
            mark = start_mark(text, span, previous_end, lexicon)
            if mark == "clause" and first and rel in ("current", "history"):
                rel = "first"  # 'begin DRUG at 30 mg': the start words outrank 'at'
            starting = mark == "clause" or (mark == "near" and rel not in ("current", "history"))
            out.append(DoseMention(span=span, drug=owner, turn=i, relation=rel, starting=starting))
            previous_end, first = span.end, False
    return out, other
