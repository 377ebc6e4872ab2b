"""The study's saved canonical-tree Proposition 1 result: read only when it is that configuration."""
import json

from bridge.study import TREE_CONFIG, TREE_PROPOSITION, _tree_proposition_markdown, saved_tree_proposition


def test_a_missing_damaged_or_foreign_result_is_not_shown_under_the_trees_name(tmp_path):
    assert "make tree-critical-set" in saved_tree_proposition(tmp_path / "none.json")["missing"]
    (tmp_path / "bad.json").write_text("{not json")
    assert "not a critical-set result" in saved_tree_proposition(tmp_path / "bad.json")["missing"]
    saved = json.loads(TREE_PROPOSITION.read_text())
    saved["config"] = {**saved["config"], "units": 2, "activation": "monomial:2"}
    (tmp_path / "other.json").write_text(json.dumps(saved))
    why = saved_tree_proposition(tmp_path / "other.json")["missing"]
    assert "units" in why and "activation" in why
    assert "Not shown" in "\n".join(_tree_proposition_markdown({"missing": why}))


def test_the_saved_result_is_the_canonical_tree_and_its_table_adds_up(tmp_path):
    """The committed file: the command's own output for the canonical network at N = 1."""
    t = saved_tree_proposition(out=tmp_path)
    assert "missing" not in t, t.get("missing")
    saved = json.loads(TREE_PROPOSITION.read_text())
    assert {k: saved["config"][k] for k in TREE_CONFIG} == TREE_CONFIG and t["weights"] == 12
    assert sum(t["limits"].values()) == t["regularized"]["solutions"]
    assert sum(v["paths"] for v in t["critical_values"]) == sum(p["paths"] for p in t["isolated"])
    text = "\n".join(_tree_proposition_markdown(t))
    assert f"**{t['regularized']['solutions']}**" in text and "Proposition 1:" in text
    assert (tmp_path / "tree_critical_set.png").stat().st_size > 0
