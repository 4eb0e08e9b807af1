"""The issuer dashboard: counts only, the numbers of the content, and off when site.yaml says so."""

from __future__ import annotations

import json
import re
from collections import Counter
from html import unescape

from conftest import EXAMPLE, make_build
from test_verify import revoked_ids

from credpress.pipeline import check_content


def test_dashboard_names_no_learner(example_site):
    page = (example_site / "dashboard" / "index.html").read_text("utf-8")
    model, _ = check_content(EXAMPLE)
    names = {award.recipient.name for award in model.awards}
    assert len(names) > 10
    assert not [name for name in names if name in unescape(page)]


def test_dashboard_numbers_match_the_content(example_site):
    page = unescape((example_site / "dashboard" / "index.html").read_text("utf-8"))
    # Every published credential counts, hand awards and stacks the build awarded alike.
    documents = [json.loads(p.read_text("utf-8")) for p in (example_site / "credentials").glob("*.json")]
    expected = Counter((d["awardedDate"][:7], d["credentialSubject"]["achievement"]["name"]) for d in documents)
    header = re.search(r"<thead>\s*<tr>(.*?)</tr>", page, re.S).group(1)
    columns = re.findall(r'<th scope="col">(.*?)</th>', header)[1:-1]
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    found = Counter()
    for month, cells in re.findall(r'<tr><th scope="row">(\d{4}-\d\d)</th>(.*?)</tr>', body):
        counts = [int(c) for c in re.findall(r"<td>(\d+)</td>", cells)]
        assert sum(counts[:-1]) == counts[-1]  # the row's total
        for name, count in zip(columns, counts):
            if count:
                found[(month, name)] = count
    assert found == expected
    # One bar segment per non-zero cell, and the statuses add up.
    assert page.count("<rect x=") == len(expected)
    revoked = len(revoked_ids(EXAMPLE))  # a hand revocation, and a stack component with its cascade
    assert f"<strong>{revoked}</strong> revoked" in page
    assert f"<strong>{len(documents) - revoked}</strong> valid" in page  # nothing expired by the last award


def test_dashboard_is_linked_from_the_home_page(example_site):
    assert 'href="dashboard/"' in (example_site / "index.html").read_text("utf-8")


def test_dashboard_false_removes_page_and_link(small_content, key_file, tmp_path):
    site_yaml = small_content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8") + "dashboard: false\n", "utf-8")
    make_build(small_content, tmp_path / "_site", key_file)
    assert not (tmp_path / "_site" / "dashboard").exists()
    assert "dashboard" not in (tmp_path / "_site" / "index.html").read_text("utf-8")


def test_dashboard_must_be_true_or_false(small_content, key_file, tmp_path):
    from credpress.errors import ContentError

    site_yaml = small_content / "site.yaml"
    site_yaml.write_text(site_yaml.read_text("utf-8") + "dashboard: no thanks\n", "utf-8")
    try:
        make_build(small_content, tmp_path / "_site", key_file)
    except ContentError as exc:
        assert any(p.field == "dashboard" and "true or false" in p.message for p in exc.problems)
    else:
        raise AssertionError("dashboard: 'no thanks' was accepted")
    assert not (tmp_path / "_site").exists()
