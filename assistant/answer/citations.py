"""Citation numbering of an answer: each chunk gets the next number the first time it is cited."""

from __future__ import annotations

from assistant.types import Chunk, Citation


class CitationNumbering:
    """Citations numbered 1..n in order of first use; citing a chunk again returns its number."""

    def __init__(self) -> None:
        self.citations: list[Citation] = []

    def cite(self, chunk: Chunk) -> int:
        for c in self.citations:
            if c.chunk_id == chunk.id:
                return c.n
        n = len(self.citations) + 1
        self.citations.append(
            Citation(
                n=n,
                chunk_id=chunk.id,
                doc_id=chunk.doc_id,
                title=chunk.title,
                section=chunk.section,
                text=chunk.text,
                refs=chunk.refs,
                page=chunk.page,
            )
        )
        return n
