//! No parser panics, whatever the bytes: every format is run over truncated and
//! mutated copies of the real samples (when present) and over random bytes.

use connectors::{Format, read_records};
use proptest::prelude::*;

const FORMATS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/formats");

fn sample_files() -> Vec<Vec<u8>> {
    let mut files = Vec::new();
    let mut folders = vec![std::path::PathBuf::from(FORMATS_DIR)];
    while let Some(folder) = folders.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                folders.push(path);
            } else if let Ok(bytes) = std::fs::read(&path)
                && bytes.len() <= 64 * 1024
            {
                files.push(bytes);
            }
        }
    }
    if files.is_empty() {
        println!("skipped the samples: {FORMATS_DIR} is absent");
    }
    files
}

fn read_everything(bytes: &[u8]) {
    for format in Format::ALL {
        let _ = read_records(format, bytes);
    }
    let _ = connectors::meta::parse_webhook(bytes);
    let _ = connectors::read_mentions_body(bytes);
}

#[test]
fn truncated_and_mutated_samples_never_panic() {
    for bytes in sample_files() {
        let step = (bytes.len() / 12).max(1);
        for cut in (0..bytes.len()).step_by(step) {
            read_everything(&bytes[..cut]);
        }
        for (index, replacement) in [
            (7usize, b'"'),
            (31, b'{'),
            (97, 0xff),
            (211, b'<'),
            (401, b'\n'),
        ] {
            let mut mutated = bytes.clone();
            if let Some(byte) = mutated.get_mut(index % bytes.len().max(1)) {
                *byte = replacement;
            }
            read_everything(&mutated);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        read_everything(&bytes);
    }

    #[test]
    fn random_json_like_text_never_panics(text in "[{}\\[\\]\":,a-z0-9 \n<>/@.-]{0,300}") {
        read_everything(text.as_bytes());
    }
}
