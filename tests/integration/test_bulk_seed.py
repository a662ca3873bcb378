"""`python seed_graph.py --bulk` into a new data folder, as the README has it before `make up`: the
folder gets Neo4j's home and config, the imported store, and the mark that keeps the first start
from seeding the demo over the imported graph."""
from pathlib import Path

from seed_graph import Sizes, bulk
from stack.config import seeded_marker


def test_a_bulk_import_into_a_new_data_folder_makes_a_store_marked_seeded(tmp_path: Path):
    timings = bulk(Sizes(users=40, follows=120, tweets=60, likes=90), tmp_path)
    assert timings["import_s"] > 0
    assert (tmp_path / "neo4j" / "conf" / "neo4j.conf").is_file()
    assert any((tmp_path / "neo4j" / "data" / "databases" / "neo4j").glob("neostore*"))
    assert seeded_marker(tmp_path).exists()
    assert not (tmp_path / "import").exists()  # its CSV files are gone
