//! Without the `parquet` feature, Parquet input and output are refused
//! with a message that says how to get them.

use crate::util::{crm, data, stderr};

#[test]
fn parquet_needs_the_feature() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.parquet");
    std::fs::write(&path, "x").unwrap();
    let o = crm(&[
        "pyramid",
        "--transactions",
        &path.display().to_string(),
        "--period",
        "2025",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("t.parquet: Parquet input needs crm built with the parquet feature"),
        "{e}"
    );
    let o = crm(&[
        "pyramid",
        "--transactions",
        &data("transactions.csv").display().to_string(),
        "--period",
        "2025",
        "--format",
        "parquet",
    ]);
    // A usage error, before any input is read.
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o)
            .starts_with("crm: error: --format parquet needs crm built with the parquet feature"),
        "{}",
        stderr(&o)
    );
}
