"""Read a question (and the conversation before it) into a Query: intent, drug, indication, route, doses, patient facts."""
from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.types import Patient

INTENT_CUES: dict[str, str] = {
    # Most specific first: the first intent whose cue matches wins.
    "maximum": r"\bmax\b|maxim|highest|upper limit|ceiling|most (?:i|we|you) can|not (?:to )?exceed|top dose",
    "start": r"\bstart|initia|\bbegin|commenc|first dose|low dose",
    "titration": r"titrat|increas|go up|escalat|\braise|\bstep\b|how (?:fast|quickly)|next week|uptitrat",
    "renal": r"egfr|\bgfr|kidney|renal|dialysis|\bcrcl|creatinine clearance|\bckd\b",
    "stopping": r"\bstop|discontinu|\bcontinued?\b|withdraw|taper|\bwean|\bquit|abrupt|come off|cold turkey",
    "monitoring": r"monitor|\blabs?\b|blood test|bloods|blood levels?|watch for|check(?:ed)? (?:for|during)|follow.?up",
    "alternatives": r"alternativ|instead|other (?:option|drug|medic|treatment)|besides|can.?t tolerate|cannot tolerate|non.?pharm|tizanidine|dantrolene|botulinum|botox|orphenadrine|methocarbamol|quinidine|albumin",
    "side_effects": r"side.?effect|adverse|toxic|drows|sedat|somnolen|sleepy|dizz|vertigo|weakness|\brisks?\b|harm|worse|worsen",
    "mechanism": r"mechanism|how does (?:it|baclofen) work|\bworks?\b on|gaba|act(?:s)? on|\bmoa\b|pharmacolog",
    "efficacy": r"effective|efficacy|\bevidence|\btrial|does (?:it|baclofen) (?:help|work)|success|improv",
    "route": r"intrathecal|\bitb\b|pump|\broute|oral (?:vs|or|versus)|by mouth",
    "frequency": r"divided|once a day|once daily|how often|times (?:a|per) day|doses (?:a|per) day|split",
    "dose": r"\bdos(?:e|es|age|ing)\b|how much|\bmg\b|milligram|how many",
}

# Guideline wording that answers each intent; a sentence with the cue can lead the answer.
ANSWER_CUES: dict[str, str] = {
    "maximum": r"maxim|up to|greater than|rarely tolerate",
    "start": r"\bstart|initia",
    "titration": r"increas|titrat|weekly|gradual",
    "dose": r"\d+\s*(?:-\s*\d+\s*)?mg",
    "renal": r"kidney|renal|egfr",
    "stopping": r"discontinu|withdraw|abrupt",
    "monitoring": r"monitor|blood levels",
    "alternatives": r"alternativ|tizanidine|dantrolene|botulinum|orphenadrine|non-pharmacolog|albumin|quinidine|first-line",
    "side_effects": r"adverse|side effect|sedation|weakness|worsening",
    "mechanism": r"agonist|interneurone|mechanism",
    "efficacy": r"effective|efficacy|improvement|disappeared|demonstrated",
    "route": r"intrathecal|oral",
    "frequency": r"divided|doses per day|times daily",
    "general": r".",
}

DRUG_ALIASES: dict[str, str] = {"baclofen": r"baclof\w*|\bitb\b"}
INDICATION_PATTERNS: dict[str, str] = {
    "muscle_cramps": r"cramp|charley horse",
    "spasticity": r"spastic|spasm|hypertoni|multiple sclerosis|\bms\b|spinal cord|cerebral palsy|stroke",
}
ROUTE_PATTERNS: dict[str, str] = {"intrathecal": r"intrathecal|\bitb\b|\bpump\b", "oral": r"\boral|by mouth|tablet|\bpo\b"}

_NUM = r"\d+(?:[.,]\d+)?"
# Units the parser cannot use are still captured, so that the checker says why it cannot check them.
_UNIT = r"(?:mg|milligrams?|g|grams?|mcg|µg|ug|micrograms?|mg/kg|units?|iu|ml|tablets?|tabs?|pills?|capsules?|drops?)"
_FREQ = (
    r"(?:\s*(?:/|per|a|an|each|every)\s*(?:day|d|24\s*h(?:ours?)?|dose)"
    r"|\s*(?:once|twice|three times|four times|1x|2x|3x|4x)\s*(?:a\s+|per\s+)?(?:day|daily)"
    r"|\s*(?:daily|nightly|od|qd|bid|b\.i\.d\.|tid|t\.i\.d\.|qid|q\.i\.d\.|qds|tds|bd)\b"
    r"|\s*(?:every|q)\s*\d+\s*(?:h|hours?|hrs?)\b)?"
)
# "how many doses a day" asks for a frequency; it proposes no dose.
VAGUE_DOSE = re.compile(r"(?<!how )\b(?:a few|several|some|a couple of|many|lots of|a|one|two|three|four|five)\s+(?:baclofen\s+)?"
                        r"(?:tablets?|pills?|capsules?|doses?)\s+(?:a|per|each)\s+day\b", re.IGNORECASE)
DOSE_SPAN = re.compile(rf"(?<![\w.])-?{_NUM}(?:\s*(?:-|–|to)\s*{_NUM})?\s*{_UNIT}\b{_FREQ}", re.IGNORECASE)
_CHANGE_WORDS = re.compile(r"\b(?:go(?:ing)? (?:up )?to|increase(?:d)? (?:it )?to|raise(?:d)? (?:it )?to|titrate(?:d)? (?:up )?to|move(?:d)? to|switch(?:ed)? to|up to)\s*$", re.IGNORECASE)
_INTERVALS = {r"tomorrow|next day": 1.0, r"next week|\ba week\b|one week|1 week": 7.0, r"two weeks|fortnight": 14.0}
_INTERVAL_DAYS = re.compile(r"(?:in|after|for|within)\s+(?:only\s+|just\s+)?(\d+)\s*(day|week)s?", re.IGNORECASE)
_ANAPHORA = re.compile(r"\b(?:that|this|it|she|he|they|her|his|them|the same|those)\b", re.IGNORECASE)
_FOLLOWUP_START = re.compile(r"^\s*(?:and|but|what about|how about|what if|if|also|then|ok(?:ay)?,? (?:and|what)|same)\b", re.IGNORECASE)


class Query(BaseModel):
    """What the assistant understood from a message and its conversation."""

    message: str = Field(description="The user's message as typed.")
    search_text: str = Field(description="Message with conversation context, for retrieval.")
    intent: str = Field(description="One of INTENT_CUES' keys, or 'general'.")
    drug: str | None = None
    indication: str | None = None
    route: str | None = None
    doses: list[str] = Field(default_factory=list, description="Proposed dose expressions, in order of mention.")
    previous_dose: str | None = Field(default=None, description="Current dose when the message proposes a change.")
    interval_days: float | None = None
    patient: Patient = Field(default_factory=Patient, description="Facts written in the text (conversation included).")
    is_followup: bool = False


def _first_key(patterns: dict[str, str], text: str) -> str | None:
    return next((key for key, pat in patterns.items() if re.search(pat, text, re.IGNORECASE)), None)


def detect_intent(text: str) -> str:
    return _first_key(INTENT_CUES, text) or "general"


def detect_drug(text: str, drug_names: tuple[str, ...]) -> str | None:
    """The first drug named, by the corpus's drug names (and baclofen's abbreviation ITB)."""
    patterns = {name: DRUG_ALIASES.get(name, rf"\b{re.escape(name)}\w*") for name in drug_names} or DRUG_ALIASES
    found = [(m.start(), name) for name, pat in patterns.items() if (m := re.search(pat, text, re.IGNORECASE))]
    return min(found)[1] if found else None


def detect_indication(text: str) -> str | None:
    return _first_key(INDICATION_PATTERNS, text)


def patient_facts(text: str) -> Patient:
    """eGFR, dialysis, cirrhosis, age and sodium as written in free text; what is not written stays unknown."""
    facts: dict[str, float | bool] = {}
    low = text.lower()
    if m := re.search(r"(?:e?gfr|crcl|creatinine clearance|kidney function)\D{0,20}?(\d{1,3}(?:\.\d+)?)\b(?!\s*(?:mg|g\b|mcg|%))", low):
        facts["egfr"] = float(m.group(1))
    if re.search(r"\b(?:not|never|no longer) (?:on )?(?:\w+ )?dialy", low):
        facts["dialysis"] = False
    elif re.search(r"dialy[sz]|renal replacement|\bcrrt\b|\bhd\b", low):
        facts["dialysis"] = True
    if re.search(r"\b(?:no|not|without) (?:liver )?cirrho", low):
        facts["cirrhosis"] = False
    elif re.search(r"cirrho", low):
        facts["cirrhosis"] = True
    if m := re.search(r"\b(\d{1,3})\s*(?:-|\s)?(?:years?|yrs?|yo|y/o|y\.o\.)(?:\s*-?\s*old)?\b|\baged?\s*(\d{1,3})\b", low):
        facts["age"] = float(m.group(1) or m.group(2))
    if m := re.search(r"(?:sodium|\bna\+?)\D{0,15}?(\d{2,3}(?:\.\d+)?)", low):
        facts["sodium"] = float(m.group(1))
    return Patient(**facts)


def dose_mentions(text: str) -> tuple[list[str], str | None]:
    """Dose expressions in the text; when a change is proposed ('at 10 mg/day, go to 30 mg/day') the first is the previous dose."""
    spans = list(DOSE_SPAN.finditer(text))
    doses = [m.group(0).strip() for m in spans]
    if not doses:
        # "a few tablets a day" is a dose too: the checker must say it cannot read it, not stay silent.
        return [m.group(0).strip() for m in VAGUE_DOSE.finditer(text)], None
    if len(spans) >= 2:
        between = text[spans[0].end() : spans[1].start()]
        from_to = re.search(r"\bfrom\s*$", text[: spans[0].start()], re.IGNORECASE) and re.fullmatch(r"\s*(?:to|->|→)\s*", between)
        if from_to or _CHANGE_WORDS.search(between):
            return doses[1:], doses[0]
    return doses, None


def interval_days(text: str) -> float | None:
    if m := _INTERVAL_DAYS.search(text):
        return float(m.group(1)) * (7 if m.group(2).lower() == "week" else 1)
    return next((days for pat, days in _INTERVALS.items() if re.search(pat, text, re.IGNORECASE)), None)


def is_followup(message: str, has_history: bool, drug_names: tuple[str, ...]) -> bool:
    """A short or 'and if…' message after earlier turns, naming no drug or condition of its own."""
    if not has_history:
        return False
    names_subject = detect_drug(message, drug_names) or detect_indication(message)
    if names_subject:
        return bool(_FOLLOWUP_START.search(message))
    return bool(_FOLLOWUP_START.search(message) or _ANAPHORA.search(message)) or len(message.split()) <= 8


def understand(message: str, previous_user_turns: list[str], drug_names: tuple[str, ...] = ("baclofen",)) -> Query:
    """Read the message; a follow-up inherits drug, indication, route, intent, doses and facts it does not state."""
    followup = is_followup(message, bool(previous_user_turns), drug_names)
    context = " ".join(previous_user_turns[-3:]) if followup else ""
    doses, previous = dose_mentions(message)
    facts = patient_facts(message)
    query = Query(
        message=message,
        search_text=message,
        intent=detect_intent(message),
        drug=detect_drug(message, drug_names),
        indication=detect_indication(message),
        route=_first_key(ROUTE_PATTERNS, message),
        doses=doses,
        previous_dose=previous,
        interval_days=interval_days(message),
        patient=facts,
        is_followup=followup,
    )
    if not followup:
        return query
    earlier = understand(previous_user_turns[-1], previous_user_turns[:-1], drug_names)
    if query.indication and earlier.indication and query.indication != earlier.indication:
        # "And for spasticity?" after a cramps question: keep the earlier ask, not its indication.
        context = re.sub(rf"(?:{INDICATION_PATTERNS[earlier.indication]})\w*", " ", context, flags=re.IGNORECASE)
    return query.model_copy(
        update={
            "search_text": f"{message} {context}",
            "intent": query.intent if query.intent != "general" else earlier.intent,
            "drug": query.drug or earlier.drug,
            "indication": query.indication or earlier.indication,
            "route": query.route or earlier.route,
            "doses": query.doses or earlier.doses,
            "previous_dose": query.previous_dose or (earlier.previous_dose if not query.doses else None),
            "interval_days": query.interval_days if query.interval_days is not None else earlier.interval_days,
            "patient": facts.merged_over(earlier.patient),
        }
    )
