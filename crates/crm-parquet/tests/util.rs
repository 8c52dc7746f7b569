//! Parquet files of given Arrow columns, and ledgers read from them.

use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{Field, Schema};
use crm_core::{Basis, Ledger, Period};
use crm_parquet::{ReadOptions, read_transactions};
use parquet::arrow::ArrowWriter;
use parquet::file::properties::WriterProperties;

/// Writes `columns` (name, values; nullable) to `path` in row groups of
/// `group` rows.
pub fn write(path: &Path, columns: Vec<(&str, ArrayRef)>, group: usize) {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| Field::new(*n, a.data_type().clone(), true))
        .collect();
    let schema = Arc::new(Schema::new(fields));
    let batch =
        RecordBatch::try_new(schema.clone(), columns.into_iter().map(|c| c.1).collect()).unwrap();
    let props = WriterProperties::builder()
        .set_max_row_group_row_count(Some(group))
        .build();
    let mut w =
        ArrowWriter::try_new(std::fs::File::create(path).unwrap(), schema, Some(props)).unwrap();
    w.write(&batch).unwrap();
    w.close().unwrap();
}

/// A ledger of the year 2024 (and 2023 before it).
pub fn ledger() -> Ledger {
    Ledger::new(["2023".parse::<Period>().unwrap(), "2024".parse().unwrap()])
}

/// Reads `path` with `options` into a fresh [`ledger`].
pub fn read(path: &Path, options: &ReadOptions) -> crm_parquet::Result<Ledger> {
    let mut l = ledger();
    read_transactions(path, options, &mut l)?;
    Ok(l)
}

/// A customer's revenue and margin in 2024, and transactions, as text.
pub fn totals(l: &Ledger, key: &str) -> (String, String, u32) {
    let id = l.id(key).unwrap_or_else(|| panic!("no customer {key}"));
    let t = l.period_totals(id, 1).unwrap();
    (
        t.value(Basis::Revenue).to_string(),
        t.value(Basis::Margin).to_string(),
        t.transactions(),
    )
}
