"""A real Scrapy crawl, on loopback, through dedup's item pipeline."""

import functools
import http.server
import json
import subprocess
import sys
import textwrap
import threading

import pytest

pytest.importorskip("scrapy")

STORY = (
    "The council approved the new budget on Tuesday evening after a long debate about schools, roads and "
    "the harbour. The mayor said taxes would not rise this year, and the opposition promised to challenge "
    "the spending plan at the next meeting in March."
)
OTHER = (
    "Heavy snow closed the mountain pass for the third day, and the regional government asked drivers to "
    "avoid the northern valleys until the ploughs could clear the road and the avalanche risk fell."
)
THIRD = (
    "A local bakery won the national bread prize with a sourdough loaf made from an old family starter, "
    "and the owners said they would use the money to train two young apprentices next year."
)
PAGES = {
    "a.html": f"<p>{STORY}</p><p>Updated 10:02</p>",
    "b.html": f"<p>{STORY}</p><p>Updated 10:02</p>",  # the same page under another address
    "c.html": f"<p>{STORY}</p><p>Updated 17:45</p>",  # the date line changed
    "d.html": f"<p>{OTHER}</p>",
    "e.html": f"<p>{THIRD}</p>",
}

CRAWL = textwrap.dedent(
    """
    import sys
    import scrapy
    from scrapy.crawler import CrawlerProcess

    base, index, out = sys.argv[1:4]

    class Site(scrapy.Spider):
        name = "site"
        start_urls = [base + "/index.html"]

        def parse(self, response):
            for href in response.css("a::attr(href)").getall():
                yield response.follow(href, self.page)

        def page(self, response):
            yield {"url": response.url, "text": " ".join(response.css("p::text").getall())}

    process = CrawlerProcess(settings={
        "ITEM_PIPELINES": {"dedup.contrib.scrapy.DedupPipeline": 300},
        "DEDUP_INDEX_PATH": index,
        "FEEDS": {out: {"format": "json"}},
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "ERROR",
        "TELNETCONSOLE_ENABLED": False,
    })
    process.crawl(Site)
    process.start()
    """
)


@pytest.fixture()
def site(tmp_path):
    root = tmp_path / "site"
    root.mkdir()
    links = "".join(f'<a href="{name}">{name}</a>' for name in PAGES)
    (root / "index.html").write_text(f"<html><body>{links}</body></html>", encoding="utf-8")
    for name, body in PAGES.items():
        (root / name).write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def crawl(tmp_path, base, name):
    script = tmp_path / "crawl.py"
    script.write_text(CRAWL, encoding="utf-8")
    out = tmp_path / f"{name}.json"
    run = subprocess.run(
        [sys.executable, str(script), base, str(tmp_path / "seen.db"), str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stderr
    return sorted(item["url"].rsplit("/", 1)[1] for item in json.loads(out.read_text() or "[]"))


def test_crawl_twice(tmp_path, site):
    first = crawl(tmp_path, site, "first")
    # one copy of the story (exact copy and changed date line dropped), and the two others
    assert len(first) == 3 and {"d.html", "e.html"} < set(first)
    assert len(set(first) & {"a.html", "b.html", "c.html"}) == 1
    # a second crawl finds everything in the index from the first
    assert crawl(tmp_path, site, "second") == []


def test_items_without_a_key_are_keyed_by_their_text_across_crawls(tmp_path):
    from scrapy.exceptions import DropItem

    from dedup.contrib.scrapy import DedupPipeline

    def crawl(*texts):
        pipe = DedupPipeline(str(tmp_path / "seen.db"))
        pipe.open_spider(None)
        try:
            out = []
            for t in texts:
                try:
                    out.append(pipe.process_item({"text": t}, None) is not None)
                except DropItem:
                    out.append(False)
            return out
        finally:
            pipe.close_spider(None)

    assert crawl(STORY) == [True]
    # a second crawl: a new page is added (not taken for the first crawl's item 0), so its copy is dropped
    assert crawl(OTHER, OTHER + " ", STORY) == [True, False, False]
