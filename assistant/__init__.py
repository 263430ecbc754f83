"""Clinical guideline assistant: cited answers from a guideline corpus, with a deterministic dose checker.

This module is the public API: the chat page, the servers and scripts import from `assistant` only (the
evaluation also uses `assistant.evaluation`). Names load on first use, so `import assistant` stays cheap for
commands that never load the embedding model (check-dose).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Any

# Nothing may download at run time, and Chroma must not phone home.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"

if TYPE_CHECKING:
    from assistant.dosing.check import check_dose
    from assistant.dosing.request import DoseRequest
    from assistant.dosing.rules.load import load_rules
    from assistant.dosing.rules.schema import DrugRules, RulesError
    from assistant.errors import AssistantError, InputError, one_line
    from assistant.index.provenance import folder_hash
    from assistant.index.store import document_summaries
    from assistant.interfaces import audit
    from assistant.pipeline import Assistant
    from assistant.query.validate import validate_question
    from assistant.settings import Settings, SettingsError
    from assistant.turns import Turn
    from assistant.types import (
        REMOVAL_LABELS,
        VERDICT_LABELS,
        Answer,
        Citation,
        CorpusStatus,
        DoseCheck,
        Finding,
        Patient,
        Verdict,
        patient_bounds,
    )

_HOMES: dict[str, str] = {
    "Assistant": "assistant.pipeline",
    "CorpusStatus": "assistant.types",
    "Turn": "assistant.turns",
    "Settings": "assistant.settings",
    "SettingsError": "assistant.settings",
    "check_dose": "assistant.dosing.check",
    "DoseRequest": "assistant.dosing.request",
    "load_rules": "assistant.dosing.rules.load",
    "DrugRules": "assistant.dosing.rules.schema",
    "RulesError": "assistant.dosing.rules.schema",
    "Answer": "assistant.types",
    "Citation": "assistant.types",
    "DoseCheck": "assistant.types",
    "Finding": "assistant.types",
    "Patient": "assistant.types",
    "Verdict": "assistant.types",
    "VERDICT_LABELS": "assistant.types",
    "REMOVAL_LABELS": "assistant.types",
    "patient_bounds": "assistant.types",
    "AssistantError": "assistant.errors",
    "InputError": "assistant.errors",
    "one_line": "assistant.errors",
    "validate_question": "assistant.query.validate",
    "document_summaries": "assistant.index.store",
    "folder_hash": "assistant.index.provenance",
}
_MODULES: dict[str, str] = {"audit": "assistant.interfaces.audit"}

__all__ = [
    "Answer",
    "Assistant",
    "AssistantError",
    "Citation",
    "CorpusStatus",
    "DoseCheck",
    "DoseRequest",
    "DrugRules",
    "Finding",
    "InputError",
    "Patient",
    "REMOVAL_LABELS",
    "RulesError",
    "Settings",
    "SettingsError",
    "Turn",
    "VERDICT_LABELS",
    "Verdict",
    "audit",
    "check_dose",
    "document_summaries",
    "folder_hash",
    "load_rules",
    "one_line",
    "patient_bounds",
    "validate_question",
]


def __getattr__(name: str) -> Any:
    """Load a public name from its home module on first use (PEP 562)."""
    if name in _MODULES:
        value: Any = importlib.import_module(_MODULES[name])
    elif name in _HOMES:
        value = getattr(importlib.import_module(_HOMES[name]), name)
    else:
        raise AttributeError(f"module 'assistant' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
