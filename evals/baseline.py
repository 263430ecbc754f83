"""The baseline: a plain LangChain RAG retriever over the same corpus and the same embedding model.

Fixed-size chunks (`RecursiveCharacterTextSplitter`, chunk_size=300, chunk_overlap=50) of each guideline's raw
body text (title line, headings, bullets and reference numbers included, as a plain pipeline would see it),
stored in a temporary `langchain_chroma.Chroma` collection on an in-memory (ephemeral) Chroma client, queried
dense-only with `similarity_search(question, k)`. No BM25, no fusion, no section awareness, no query rewriting.

Gold matching is the same rule as for our hits (`evals.cases.phrase_in`): a baseline chunk matches a gold chunk
when it comes from the gold document and contains the phrase or the phrase's first 40 characters.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.evaluation import load_corpus

CHUNK_SIZE = 300
CHUNK_OVERLAP = 50


@dataclass
class BaselineHit:
    """One retrieved fixed-size chunk."""

    doc_id: str
    text: str


def split_corpus(corpus_dir: Path, chunk_size: int = CHUNK_SIZE, chunk_overlap: int = CHUNK_OVERLAP) -> list[Document]:
    """Fixed-size chunks of every guideline's body text, with the document id as metadata."""
    splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
    docs = [Document(page_content=g.text, metadata={"doc_id": g.id}) for g in load_corpus(corpus_dir).guidelines]
    return splitter.split_documents(docs)


class BaselineRetriever:
    """Dense top-k over fixed-size chunks in an ephemeral Chroma collection (deleted by `close`)."""

    def __init__(
        self, corpus_dir: Path, embeddings: Embeddings, chunk_size: int = CHUNK_SIZE, chunk_overlap: int = CHUNK_OVERLAP
    ) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings
        from langchain_chroma import Chroma

        self.chunks = split_corpus(corpus_dir, chunk_size, chunk_overlap)
        self._client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.store = Chroma(
            collection_name=f"eval-baseline-{uuid.uuid4().hex[:12]}",
            embedding_function=embeddings,
            client=self._client,
        )
        self.store.add_documents(self.chunks, ids=[f"b{i}" for i in range(len(self.chunks))])

    def search(self, question: str, k: int) -> list[BaselineHit]:
        docs = self.store.similarity_search(question, k=k)
        return [BaselineHit(doc_id=str(d.metadata.get("doc_id", "")), text=d.page_content) for d in docs]

    def timed_search(self, question: str, k: int) -> tuple[list[BaselineHit], float]:
        """Hits and the wall-clock seconds the query took."""
        start = time.perf_counter()
        hits = self.search(question, k)
        return hits, time.perf_counter() - start

    def close(self) -> None:
        try:
            self.store.delete_collection()
        except Exception:  # an ephemeral collection vanishes with the process anyway
            pass
