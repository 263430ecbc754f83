"""One user-facing error base and one formatter."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from assistant.corpus.load import CorpusError
from assistant.dosing.rules.schema import RulesError
from assistant.errors import AssistantError, InputError, LLMError, one_line
from assistant.index.store import StoreError
from assistant.interfaces.audit import AuditError
from assistant.types import Patient
from evals.cases import CaseError
from evals.medicationqa import MedicationQAError


@pytest.mark.parametrize(
    "cls", [InputError, CorpusError, RulesError, StoreError, LLMError, AuditError, CaseError, MedicationQAError]
)
def test_every_user_facing_error_is_an_assistant_error(cls):
    assert issubclass(cls, AssistantError)


def test_one_line_keeps_the_first_line_only():
    assert one_line(InputError("the question is empty\nmore detail")) == "the question is empty"
    assert one_line(KeyError()) == "KeyError"
    assert one_line(RuntimeError("store went away"), with_type=True) == "RuntimeError: store went away"


def test_one_line_flattens_pydantic_errors_one_way():
    with pytest.raises(ValidationError) as exc:
        Patient(egfr="high", dialysis="maybe")
    message = one_line(exc.value)
    assert "\n" not in message
    assert message.startswith("egfr: ") and "; dialysis: " in message
    with pytest.raises(ValidationError) as exc:
        Patient(egfr=900)
    assert one_line(exc.value).startswith("egfr 900 is outside the plausible range")  # no 'Value error, ' prefix


def test_input_error_carries_the_batch_record_id():
    assert InputError("bad line", record_id="q7").record_id == "q7"
