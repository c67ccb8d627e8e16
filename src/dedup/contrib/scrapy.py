"""A Scrapy item pipeline that drops near-duplicate pages, across runs.

In a Scrapy project's ``settings.py``::

    ITEM_PIPELINES = {"dedup.contrib.scrapy.DedupPipeline": 300}
    DEDUP_INDEX_PATH = "seen.db"

Optional settings: ``DEDUP_THRESHOLD`` (0.8), ``DEDUP_TEXT_FIELD``
(``"text"``), ``DEDUP_KEY_FIELD`` (``"url"``; when an item has no str or
int there, a SHA-256 of its text, the same in every crawl). A page whose key
is in the index already (crawled again) is only checked, not added. An item whose text is a
near-duplicate of one seen before, in this crawl or an earlier one, is
dropped with a ``DropItem`` that names the page it repeats. The index is a
persistent :class:`dedup.Index`, so several crawls (and several crawler
processes) share it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

try:
    from itemadapter import ItemAdapter
    from scrapy.exceptions import DropItem, NotConfigured
except ImportError as e:  # pragma: no cover - exercised without scrapy installed
    raise ImportError(
        "dedup.contrib.scrapy needs Scrapy: pip install 'dedup-text[scrapy]'"
    ) from e

from ..index import Index


class DedupPipeline:
    """Drop items whose text is a near-duplicate of an earlier item's."""

    def __init__(self, path: str, threshold: float = 0.8, text_field: str = "text", key_field: str = "url") -> None:
        self.path = path
        self.threshold = threshold
        self.text_field = text_field
        self.key_field = key_field
        self.index: Index | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupPipeline:
        s = crawler.settings
        path = s.get("DEDUP_INDEX_PATH")
        if not path:
            raise NotConfigured("set DEDUP_INDEX_PATH to the file of the near-duplicate index")
        return cls(
            path,
            threshold=s.getfloat("DEDUP_THRESHOLD", 0.8),
            text_field=s.get("DEDUP_TEXT_FIELD", "text"),
            key_field=s.get("DEDUP_KEY_FIELD", "url"),
        )

    def open_spider(self, spider: Any) -> None:
        if Path(self.path).exists():
            self.index = Index.open(self.path)
            if self.index.config.threshold != self.threshold:
                self.index.close()
                self.index = Index(self.threshold, path=self.path)  # raises: names the difference
        else:
            self.index = Index(self.threshold, path=self.path)

    def close_spider(self, spider: Any) -> None:
        if self.index is not None:
            self.index.close()

    def process_item(self, item: Any, spider: Any) -> Any:
        adapter = ItemAdapter(item)
        text = adapter.get(self.text_field)
        if not isinstance(text, str):
            raise DropItem(f"item has no text in field {self.text_field!r}: {dict(adapter)!r:.100}")
        key = adapter.get(self.key_field)
        if not isinstance(key, (str, int)) or isinstance(key, bool):
            # no usable key: one derived from the text, the same in every crawl
            key = "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        assert self.index is not None
        # a key is in the index once: a page crawled again is only checked
        match = self.index.query(text) if key in self.index else self.index.add(key, text)
        if match is not None:
            raise DropItem(f"near-duplicate of {match.key} (similarity {match.similarity:.2f})")
        return item
