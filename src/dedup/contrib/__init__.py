"""Optional integrations (each needs its extra: ``pip install 'dedup[scrapy]'``)."""
