"""Bulk encoding uses every core and gives the single-query thread setting back, on either backend."""

import pytest

from assistant.index.embeddings import bulk_threads

pytestmark = pytest.mark.slow


def test_bulk_threads_are_restored_on_torch(torch_embeddings):
    import torch

    assert torch.get_num_threads() == 1  # the query setting
    with bulk_threads(3):
        assert torch.get_num_threads() == 3
        vectors = torch_embeddings.embed_documents(["baclofen 5 mg three times daily", "monitor sodium"])
    assert torch.get_num_threads() == 1 and len(vectors) == 2
    with pytest.raises(RuntimeError), bulk_threads(2):
        raise RuntimeError("an encode that fails")
    assert torch.get_num_threads() == 1


def test_bulk_threads_are_restored_on_onnx(embeddings):
    assert embeddings.backend == "onnx"  # the default
    with bulk_threads(2):
        embeddings.embed_documents(["baclofen 5 mg three times daily"])
        assert embeddings.model.threads == 2
    embeddings.embed_documents(["monitor sodium"])
    assert embeddings.model.threads == 1
