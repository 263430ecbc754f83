"""The ONNX backend: built at ingest, same vectors as torch, and an index refuses queries from the other backend."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.index.embeddings import LocalEmbeddings
from assistant.index.ingest import ingest
from assistant.index.onnx_model import OnnxModelMissing
from assistant.index.store import StoreError, embedding_text, open_collection
from assistant.retrieval import HybridRetriever
from assistant.settings import REPO_ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def onnx_settings(tmp_path_factory):
    from assistant.settings import Settings

    root = tmp_path_factory.mktemp("onnx")
    settings = Settings(data_dir=root / "data", model_dir=root / "models", embedding_backend="onnx")
    ingest(settings)  # the first ingest exports the model
    return settings


def test_onnx_vectors_agree_with_torch(onnx_settings, torch_embeddings):
    texts = [embedding_text(c) for g in load_corpus(REPO_ROOT / "corpus").guidelines for c in chunk_guideline(g)]
    texts += ["word " * 600, "", "café – µg/kg ≥ 5", "Baclofen 10 mg TID x 3/7"]  # truncated at 256 tokens; empty
    onnx = LocalEmbeddings(backend="onnx", model_dir=onnx_settings.model_dir)
    torch_vectors = np.array(torch_embeddings.embed_documents(texts))
    onnx_vectors = np.array(onnx.embed_documents(texts))
    cosine = (torch_vectors * onnx_vectors).sum(axis=1)
    assert len(texts) == 41 and cosine.min() >= 0.9999 and np.abs(torch_vectors - onnx_vectors).max() < 1e-5


def test_an_index_refuses_the_other_backend(onnx_settings, torch_embeddings):
    collection = open_collection(onnx_settings)
    onnx = LocalEmbeddings(backend="onnx", model_dir=onnx_settings.model_dir)
    hits = HybridRetriever(collection, onnx).search("maximum daily dose of baclofen for muscle cramps", k=3)
    assert any("30 mg/day" in h.chunk.text for h in hits)
    with pytest.raises(StoreError, match="built with the onnx embedding backend") as err:
        HybridRetriever(collection, torch_embeddings)
    assert "\n" not in str(err.value) and "ingest --rebuild" in str(err.value)


def test_a_missing_export_is_one_line(tmp_path):
    with pytest.raises(OnnxModelMissing, match="run `python -m assistant ingest`"):
        LocalEmbeddings(backend="onnx", model_dir=tmp_path)
