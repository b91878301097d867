"""The knowledge-base loader: the real files load; each kind of broken file names file, entry, problem."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from actions.knowledge_base import CERT_TOPICS, DEFAULT_DIR, KnowledgeError, load_knowledge


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(DEFAULT_DIR, target)
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_real_knowledge_base_is_complete() -> None:
    kb = load_knowledge()
    assert set(kb.certifications) == {"CSM", "CSPO"}
    for cert in kb.certifications.values():
        assert set(cert.topics) == set(CERT_TOPICS)
        for fact in cert.topics.values():
            assert fact.summary and fact.source.title and (fact.source.url or "https://").startswith("https://")
    assert [r.aspect for r in kb.comparison.rows][:5] == ["Focus", "Primary role", "Key skills", "Main goal", "Target audience"]
    assert kb.resource_link.url == "https://udemywork.com/csm-vs-cspo"
    assert set(kb.guidance) == {"csm", "cspo", "both"}
    assert kb.topic_for_intent("ask_cost") == "cost"
    assert kb.certification_for_role("product_owner") == "CSPO"


def test_checked_facts_are_in_the_data() -> None:
    kb = load_knowledge()
    csm_req = " ".join(kb.certifications["CSM"].topics["requirements"].items)
    assert "50" in csm_req and "60 minutes" in csm_req and "74%" in csm_req and "25 USD" in csm_req
    assert "no test" in " ".join(kb.certifications["CSPO"].topics["requirements"].items)
    renewal = " ".join(kb.certifications["CSPO"].topics["continuous_learning"].items)
    assert "20 Scrum Education Units" in renewal and "100 USD" in renewal


def test_invalid_yaml_names_file_and_line(kb_dir: Path) -> None:
    (kb_dir / "comparison.yml").write_text("comparison:\n  rows: [unclosed\n")
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kb_dir)
    assert "comparison.yml" in str(err.value) and "line" in str(err.value) and "not valid YAML" in str(err.value)


def test_missing_topic_names_the_entry(kb_dir: Path) -> None:
    edit(kb_dir / "certifications.yml", lambda d: d["certifications"]["CSPO"]["topics"].pop("cost"))
    with pytest.raises(KnowledgeError) as err:
        load_knowledge(kb_dir)
    assert err.value.file.endswith("certifications.yml")
    assert err.value.entry == "certifications.CSPO.topics.cost"
    assert "missing" in err.value.problem


def test_unknown_source_is_reported(kb_dir: Path) -> None:
    edit(kb_dir / "certifications.yml", lambda d: d["certifications"]["CSM"]["topics"]["benefits"].update(source="blog"))
    with pytest.raises(KnowledgeError, match=r"certifications\.CSM\.topics\.benefits\.source: unknown source 'blog'"):
        load_knowledge(kb_dir)


def test_wrong_type_is_reported(kb_dir: Path) -> None:
    edit(kb_dir / "certifications.yml", lambda d: d["certifications"]["CSM"]["topics"]["skills"].update(items="coaching"))
    with pytest.raises(KnowledgeError, match=r"topics\.skills\.items: expected a list, found text"):
        load_knowledge(kb_dir)


def test_bad_url_is_reported(kb_dir: Path) -> None:
    edit(kb_dir / "sources.yml", lambda d: d["sources"]["article"].update(url="udemywork.com"))
    with pytest.raises(KnowledgeError, match=r"sources\.article\.url: expected an http\(s\) address"):
        load_knowledge(kb_dir)


def test_comparison_row_missing_a_certification(kb_dir: Path) -> None:
    edit(kb_dir / "comparison.yml", lambda d: d["comparison"]["rows"][1].pop("CSPO"))
    with pytest.raises(KnowledgeError, match=r"comparison\.rows\[1\]\.CSPO: is missing"):
        load_knowledge(kb_dir)


def test_section_defined_twice(kb_dir: Path) -> None:
    (kb_dir / "extra.yml").write_text("comparison:\n  intro: again\n")
    with pytest.raises(KnowledgeError, match="defined twice"):
        load_knowledge(kb_dir)


def test_missing_section(kb_dir: Path) -> None:
    (kb_dir / "guidance.yml").unlink()
    with pytest.raises(KnowledgeError, match="guidance: this section is missing"):
        load_knowledge(kb_dir)


def test_unknown_next_topic(kb_dir: Path) -> None:
    edit(kb_dir / "dialogue.yml", lambda d: d["topics"]["cost"].update(next=["prices"]))
    with pytest.raises(KnowledgeError, match=r"topics\.cost\.next: names unknown topic 'prices'"):
        load_knowledge(kb_dir)


def test_empty_folder(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="no .yml files"):
        load_knowledge(tmp_path)


def test_command_line_check_reports_the_error(kb_dir: Path, monkeypatch, capsys) -> None:
    from actions import knowledge_base

    (kb_dir / "sources.yml").write_text("sources: [1, 2]\n")
    monkeypatch.setenv(knowledge_base.KNOWLEDGE_DIR_ENV, str(kb_dir))
    assert knowledge_base.main() == 1
    out = capsys.readouterr().out
    assert "sources.yml" in out and "expected a mapping" in out
