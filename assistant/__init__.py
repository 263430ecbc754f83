"""Clinical guideline assistant: cited answers from a guideline corpus, with a deterministic dose checker."""

import os

# Nothing may download at run time, and Chroma must not phone home.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

__version__ = "0.1.0"
