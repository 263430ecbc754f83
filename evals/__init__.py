"""Fidelity evaluation of the guideline assistant: cases, deterministic metrics, baseline, report and gate."""
