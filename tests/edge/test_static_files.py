"""Static files: a page names its assets' content in their URLs, and that URL may be kept."""

from __future__ import annotations

import re

import pytest

from gosuslugi_sandbox.shared.static_files import CACHED_FOR_A_YEAR, file_version

PAGES = {"idp": ("/", "gosuslugi.css"), "rp": ("/login", "sferum.css")}


@pytest.mark.parametrize("which", PAGES)
def test_a_page_links_its_stylesheet_by_content_and_that_url_may_be_kept(which, plain_apps):
    app = plain_apps[which][0]
    client = app.test_client()
    path, css = PAGES[which]
    link = re.search(r'<link rel="stylesheet" href="([^"]+)"', client.get(path).text).group(1)
    assert link == f"/static/{css}?v={file_version(app.static_folder + '/' + css)}"
    kept = client.get(link)
    assert kept.status_code == 200 and kept.headers["Cache-Control"] == CACHED_FOR_A_YEAR
    kept.close()


@pytest.mark.parametrize("query", ["", "?v=0123456789abcdef", "?v="])
def test_a_url_naming_no_version_or_another_is_answered_as_before(query, plain_apps):
    response = plain_apps["idp"][0].test_client().get(f"/static/gosuslugi.css{query}")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    response.close()


@pytest.mark.parametrize("path", ["/static/../__init__.py", "/static/%2e%2e/__init__.py",
                                  "/static/no-such.css?v=x"])  # fmt: skip
def test_a_path_outside_the_static_folder_or_missing_is_not_found(path, plain_apps):
    assert plain_apps["idp"][0].test_client().get(path).status_code == 404


def test_an_edited_file_gets_a_new_version(tmp_path):
    asset = tmp_path / "site.css"
    asset.write_text("body { color: black }")
    first = file_version(asset)
    assert first and file_version(asset) == first
    asset.write_text("body { color: navy; }")
    assert file_version(asset) not in (None, first)
    assert file_version(tmp_path / "missing.css") is None
    assert file_version(tmp_path) is None, "a directory has no version"
