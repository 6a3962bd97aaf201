//! Two Comptoir processes on one data directory (a server running, `comptoir import`
//! started beside it): the second writes the store only, and the one that owns the
//! search index picks those mentions up by itself.

use connectors::Format;
use service::{import_records, App, Config, ImportOptions, Origin, Sort};

fn open(dir: &std::path::Path) -> App {
    App::open(Config { data_dir: dir.to_path_buf(), ..Config::default() }).unwrap()
}

#[test]
fn a_second_process_writes_the_store_and_the_index_owner_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let server = open(dir.path());
    let importer = open(dir.path());
    assert!(!importer.writer().has_index(), "the index belongs to the first process");

    let line = r#"{"source":"rss","external_id":"https://example.org/a","author":{"handle":"presse"},"title":"Grève","text":"Trafic perturbé sur la ligne B","created_at":"2026-11-20T10:00:00Z"}"#;
    let records = connectors::read_records(Format::Ndjson, line.as_bytes()).unwrap();
    let origin = Origin { format: "ndjson".into(), origin: "test".into() };
    let report = import_records(&importer, records, &origin, ImportOptions { threads: 1, batch_size: 10, queue_batches: 1 }, &|_| {}).unwrap();
    assert_eq!(report.stored, 1);
    assert_eq!(server.search("perturbe", Sort::Newest, 10, 0).unwrap().total, 0, "not indexed yet");

    server.writer().tick().unwrap();
    let found = server.search("perturbe", Sort::Newest, 10, 0).unwrap();
    assert_eq!(found.total, 1);
    assert_eq!(found.mentions[0].mention.title.as_deref(), Some("Grève"));
}
