"""Optional integrations (each needs its extra: ``pip install 'dedup-text[scrapy]'``)."""
