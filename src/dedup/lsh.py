"""LSH parameters: how many bands of how many rows a :class:`dedup.Config`
uses, and the probability that two documents become candidates.

The definitions live with the banding kernels, in
:mod:`dedup._kernels.lsh`; this module is their public name.
"""

from __future__ import annotations

from ._kernels.lsh import candidate_probability, choose_bands

__all__ = ["candidate_probability", "choose_bands"]
