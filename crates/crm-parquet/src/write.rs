//! Writing Parquet: transactions (for conversions and tests) and result
//! tables.

use std::io::Write;
use std::sync::Arc;

use arrow_array::builder::{Date32Builder, Decimal128Builder, StringBuilder};
use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Decimal128Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use crm_core::{Datelike, Decimal, Money, NaiveDate};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::metadata::SortingColumn;
use parquet::file::properties::WriterProperties;

use crate::{Error, Result};

/// The widest `DECIMAL` precision of 16 bytes; every value of
/// [`Decimal`] up to scale 10 fits it.
const PRECISION: u8 = 38;

/// The days between 0001-01-01 and 1970-01-01.
const EPOCH_FROM_CE: i32 = 719_163;

fn days(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - EPOCH_FROM_CE
}

/// `d` as an unscaled integer at `scale`, exactly; `None` when it has more
/// decimals than `scale` or does not fit `DECIMAL(38, scale)`.
fn unscaled(d: Decimal, scale: u32) -> Option<i128> {
    let d = d.normalize();
    let up = scale.checked_sub(d.scale())?;
    let v = d.mantissa().checked_mul(10i128.checked_pow(up)?)?;
    (v.unsigned_abs() < 10u128.pow(u32::from(PRECISION))).then_some(v)
}

fn props() -> WriterProperties {
    props_builder().build()
}

fn props_builder() -> parquet::file::properties::WriterPropertiesBuilder {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP))
        .set_created_by(format!("crm-parquet {}", env!("CARGO_PKG_VERSION")))
}

fn table_error(e: impl std::fmt::Display) -> Error {
    Error::Table(e.to_string())
}

/// Rows per row group written: a million rows of transactions make row
/// groups of some 10 MiB, read on several threads.
const ROW_GROUP: usize = 1 << 20;

/// Writes transactions as Parquet: `transaction_id` (string, nullable),
/// `customer_id` (string), `date` (`DATE`), `revenue` and `margin`
/// (`DECIMAL(38, scale)`, the margin nullable), snappy-compressed, in row
/// groups of about a million rows: the layout
/// [`read_transactions`](crate::read_transactions) reads fastest.
///
/// Rows are buffered per row group, so memory stays that of one group.
/// The file carries a CRC-32 of each column chunk in its key-value
/// metadata (`crm.column_chunk_crc32`), which
/// [`read_transactions`](crate::read_transactions) checks before it
/// decodes a chunk: bytes damaged after writing are an error naming the
/// file, row group and column, never a wrong amount.
pub struct TransactionWriter<W: Write + Send> {
    writer: ArrowWriter<crate::checksum::Keeping<W>>,
    /// The checksums of the column chunks written, by row group.
    sums: Vec<Vec<u32>>,
    schema: Arc<Schema>,
    scale: u32,
    precision: u8,
    ids: StringBuilder,
    keys: StringBuilder,
    dates: Date32Builder,
    revenue: Decimal128Builder,
    margin: Decimal128Builder,
    rows: usize,
}

impl<W: Write + Send> std::fmt::Debug for TransactionWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransactionWriter")
            .field("scale", &self.scale)
            .field("buffered", &self.rows)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> TransactionWriter<W> {
    /// A writer to `out` whose money columns have `scale` decimals (at most
    /// 28; take the largest scale of the data, so that every amount is kept
    /// exactly).
    ///
    /// # Errors
    ///
    /// [`Error::Option`] for a scale above 28; [`Error::Table`] when the
    /// header cannot be written.
    pub fn new(out: W, scale: u32) -> Result<TransactionWriter<W>> {
        TransactionWriter::with_precision(out, PRECISION, scale)
    }

    /// A writer whose money columns are `DECIMAL(precision, scale)`: a
    /// precision of at most 18 is stored as 64-bit integers, which read
    /// faster than the 16-byte values of a larger one; [`digits`] of every
    /// amount tells the precision the data needs.
    ///
    /// # Errors
    ///
    /// [`Error::Option`] for a scale above 28 or a precision outside
    /// `1..=38` or below the scale; [`Error::Table`] when the header cannot
    /// be written.
    pub fn with_precision(out: W, precision: u8, scale: u32) -> Result<TransactionWriter<W>> {
        TransactionWriter::with_layout(out, precision, scale, false)
    }

    /// A writer as [`with_precision`](TransactionWriter::with_precision)
    /// that, when `sorted`, declares each row group sorted by
    /// `customer_id` and then `date`, both ascending (Parquet's
    /// `sorting_columns`), for engines that use the order. The caller
    /// pushes the rows in that order; readers of this crate do not rely on
    /// the declaration (runs of a customer's rows are found in the data).
    ///
    /// # Errors
    ///
    /// As [`with_precision`](TransactionWriter::with_precision).
    pub fn with_layout(
        out: W,
        precision: u8,
        scale: u32,
        sorted: bool,
    ) -> Result<TransactionWriter<W>> {
        if scale > 28 || !(1..=PRECISION).contains(&precision) || u32::from(precision) < scale {
            return Err(Error::Option(format!(
                "DECIMAL({precision}, {scale}): money has at most 28 decimals, a precision of 1 to 38 digits and at least the scale"
            )));
        }
        let s = i8::try_from(scale).map_err(table_error)?;
        let money = DataType::Decimal128(precision, s);
        let schema = Arc::new(Schema::new(vec![
            Field::new("transaction_id", DataType::Utf8, true),
            Field::new("customer_id", DataType::Utf8, false),
            Field::new("date", DataType::Date32, false),
            Field::new("revenue", money.clone(), false),
            Field::new("margin", money, true),
        ]));
        let mut props = props_builder();
        if sorted {
            let by = |column_idx| SortingColumn {
                column_idx,
                descending: false,
                nulls_first: false,
            };
            props = props.set_sorting_columns(Some(vec![by(1), by(2)]));
        }
        let mut writer = ArrowWriter::try_new(
            crate::checksum::Keeping::new(out),
            schema.clone(),
            Some(props.build()),
        )
        .map_err(table_error)?;
        writer.sync().map_err(table_error)?;
        let dec = || Decimal128Builder::new().with_data_type(DataType::Decimal128(precision, s));
        Ok(TransactionWriter {
            writer,
            sums: Vec::new(),
            schema,
            scale,
            precision,
            ids: StringBuilder::new(),
            keys: StringBuilder::new(),
            dates: Date32Builder::new(),
            revenue: dec(),
            margin: dec(),
            rows: 0,
        })
    }

    /// Adds one transaction.
    ///
    /// # Errors
    ///
    /// [`Error::Table`] when an amount has more decimals than the writer's
    /// scale, or when a full row group cannot be written.
    pub fn push(
        &mut self,
        id: Option<&str>,
        key: &str,
        date: NaiveDate,
        revenue: Money,
        margin: Option<Money>,
    ) -> Result<()> {
        let (scale, precision) = (self.scale, self.precision);
        let fit = |m: Money| {
            unscaled(m.as_decimal(), scale)
                .filter(|v| v.unsigned_abs() < 10u128.pow(u32::from(precision)))
                .ok_or_else(|| {
                    Error::Table(format!(
                        "the amount {m} of customer {key} does not fit DECIMAL({precision}, {scale})"
                    ))
                })
        };
        let r = fit(revenue)?;
        let m = margin.map(fit).transpose()?;
        self.ids.append_option(id);
        self.keys.append_value(key);
        self.dates.append_value(days(date));
        self.revenue.append_value(r);
        self.margin.append_option(m);
        self.rows += 1;
        if self.rows == ROW_GROUP {
            self.write_buffered()?;
        }
        Ok(())
    }

    fn write_buffered(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.ids.finish()),
            Arc::new(self.keys.finish()),
            Arc::new(self.dates.finish()),
            Arc::new(self.revenue.finish()),
            Arc::new(self.margin.finish()),
        ];
        let batch = RecordBatch::try_new(self.schema.clone(), columns).map_err(table_error)?;
        // The group's bytes, kept as they reach the output, give the
        // checksums of its column chunks once it is written whole.
        self.writer.inner_mut().restart();
        self.writer.write(&batch).map_err(table_error)?;
        self.writer.flush().map_err(table_error)?;
        self.writer.sync().map_err(table_error)?;
        let group = self
            .writer
            .flushed_row_groups()
            .last()
            .ok_or_else(|| Error::Table("a row group was not written".into()))?;
        let kept = self.writer.inner();
        let sums = group
            .columns()
            .iter()
            .map(|c| kept.chunk(c))
            .collect::<Option<Vec<u32>>>()
            .ok_or_else(|| Error::Table("a column chunk was not written whole".into()))?;
        self.sums.push(sums);
        self.writer.inner_mut().restart();
        self.rows = 0;
        Ok(())
    }

    /// Writes the buffered rows and the file's footer, and returns the
    /// output.
    ///
    /// # Errors
    ///
    /// [`Error::Table`] when the output cannot be written.
    pub fn finish(mut self) -> Result<W> {
        self.write_buffered()?;
        self.writer
            .append_key_value_metadata(parquet::file::metadata::KeyValue::new(
                crate::checksum::KEY.to_string(),
                crate::checksum::value(&self.sums),
            ));
        Ok(self.writer.into_inner().map_err(table_error)?.inner)
    }
}

/// The digits `DECIMAL(p, scale)` needs to hold `d` exactly: `p` at
/// least this.
///
/// ```
/// use crm_parquet::digits;
/// assert_eq!(digits("-123.4".parse()?, 2), 5);
/// assert_eq!(digits("0.5".parse()?, 2), 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn digits(d: Decimal, scale: u32) -> u32 {
    let int = d.abs().trunc().normalize().mantissa().unsigned_abs();
    let int_digits = if int == 0 { 1 } else { int.ilog10() + 1 };
    int_digits + scale
}

/// The values of one column of a result table; `None` is a null.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ColumnData {
    /// Strings (`UTF8`).
    Text(Vec<Option<String>>),
    /// Whole numbers (`INT64`).
    Int(Vec<Option<i64>>),
    /// Decimals (`DECIMAL(38, s)`, `s` the largest scale among the values:
    /// every value is kept exactly).
    Decimal(Vec<Option<Decimal>>),
    /// Dates (`DATE`).
    Date(Vec<Option<NaiveDate>>),
    /// Yes or no (`BOOLEAN`).
    Bool(Vec<Option<bool>>),
}

impl ColumnData {
    fn len(&self) -> usize {
        match self {
            ColumnData::Text(v) => v.len(),
            ColumnData::Int(v) => v.len(),
            ColumnData::Decimal(v) => v.len(),
            ColumnData::Date(v) => v.len(),
            ColumnData::Bool(v) => v.len(),
        }
    }
}

/// One named column of a result table.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name.
    pub name: String,
    /// Its values.
    pub data: ColumnData,
}

impl Column {
    /// A column of `data` named `name`.
    pub fn new(name: impl Into<String>, data: ColumnData) -> Column {
        Column {
            name: name.into(),
            data,
        }
    }

    /// A column typed from its values as text, as a CSV export writes them:
    /// empty is null; then whole numbers (`-12`) are `INT64`, decimal
    /// numbers (`12.50`, with a point, no exponent) `DECIMAL` with the
    /// largest scale found, dates `YYYY-MM-DD` `DATE`, `true`/`false`
    /// `BOOLEAN`, and anything else `UTF8`, by the first rule every
    /// non-empty value meets. A number with a leading zero (`007`) is
    /// text, as codes are: it would lose its zeros as a number. A column
    /// with no value at all is `UTF8`.
    ///
    /// ```
    /// use crm_parquet::{Column, ColumnData};
    /// let c = Column::infer("value", ["12.5", "", "-3"]);
    /// assert!(matches!(c.data, ColumnData::Decimal(_)));
    /// assert!(matches!(Column::infer("customer", ["007"]).data, ColumnData::Text(_)));
    /// ```
    pub fn infer<'a>(name: impl Into<String>, values: impl IntoIterator<Item = &'a str>) -> Column {
        let values: Vec<Option<&str>> = values
            .into_iter()
            .map(|v| Some(v).filter(|v| !v.is_empty()))
            .collect();
        let present = || values.iter().flatten();
        let data = if present().next().is_none() {
            ColumnData::Text(vec![None; values.len()])
        } else if present().all(|v| is_number(v, false)) {
            ColumnData::Int(
                values
                    .iter()
                    .map(|v| v.and_then(|v| v.parse().ok()))
                    .collect(),
            )
        } else if present().all(|v| is_number(v, true)) {
            ColumnData::Decimal(
                values
                    .iter()
                    .map(|v| v.and_then(|v| Decimal::from_str_exact(v).ok()))
                    .collect(),
            )
        } else if present().all(|v| v.len() == 10 && v.parse::<NaiveDate>().is_ok()) {
            ColumnData::Date(
                values
                    .iter()
                    .map(|v| v.and_then(|v| v.parse().ok()))
                    .collect(),
            )
        } else if present().all(|v| *v == "true" || *v == "false") {
            ColumnData::Bool(values.iter().map(|v| v.map(|v| v == "true")).collect())
        } else {
            ColumnData::Text(values.iter().map(|v| v.map(str::to_string)).collect())
        };
        Column {
            name: name.into(),
            data,
        }
    }
}

/// Whether `v` is a number the column type keeps exactly: `-12` (and with
/// `decimal` also `-12.50`), without a leading zero, within range.
fn is_number(v: &str, decimal: bool) -> bool {
    let body = v.strip_prefix('-').unwrap_or(v);
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) if decimal => (i, Some(f)),
        Some(_) => return false,
        None => (body, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (int.len() > 1 && int.starts_with('0')) {
        return false;
    }
    if let Some(f) = frac
        && !digits(f)
    {
        return false;
    }
    if decimal {
        Decimal::from_str_exact(v).is_ok()
    } else {
        v.parse::<i64>().is_ok()
    }
}

/// Writes `columns` as one Parquet table to `out` (snappy-compressed; every
/// column nullable).
///
/// # Errors
///
/// [`Error::Table`] when the columns have different lengths, two share a
/// name, a decimal does not fit `DECIMAL(38, s)` at the column's scale, or
/// the output cannot be written.
///
/// ```
/// use crm_parquet::{Column, ColumnData, write_table};
/// let mut out = Vec::new();
/// write_table(&mut out, &[
///     Column::new("customer", ColumnData::Text(vec![Some("C1".into())])),
///     Column::new("value", ColumnData::Decimal(vec![Some("12.50".parse()?)])),
/// ])?;
/// assert_eq!(&out[..4], b"PAR1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_table<W: Write + Send>(out: W, columns: &[Column]) -> Result<()> {
    let rows = columns.first().map_or(0, |c| c.data.len());
    if let Some(c) = columns.iter().find(|c| c.data.len() != rows) {
        return Err(Error::Table(format!(
            "column {} has {} values, the first column {rows}",
            c.name,
            c.data.len()
        )));
    }
    for (i, c) in columns.iter().enumerate() {
        if columns[..i].iter().any(|o| o.name == c.name) {
            return Err(Error::Table(format!("column {} appears twice", c.name)));
        }
    }
    let mut fields = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for c in columns {
        let array: ArrayRef = match &c.data {
            ColumnData::Text(v) => Arc::new(StringArray::from(v.clone())),
            ColumnData::Int(v) => Arc::new(Int64Array::from(v.clone())),
            ColumnData::Date(v) => Arc::new(Date32Array::from(
                v.iter().map(|d| d.map(days)).collect::<Vec<_>>(),
            )),
            ColumnData::Bool(v) => Arc::new(BooleanArray::from(v.clone())),
            ColumnData::Decimal(v) => {
                let scale = v
                    .iter()
                    .flatten()
                    .map(|d| d.normalize().scale())
                    .max()
                    .unwrap_or(0);
                let values = v
                    .iter()
                    .map(|d| match d {
                        None => Ok(None),
                        Some(d) => unscaled(*d, scale).map(Some).ok_or_else(|| {
                            Error::Table(format!(
                                "column {}: {d} does not fit DECIMAL({PRECISION}, {scale})",
                                c.name
                            ))
                        }),
                    })
                    .collect::<Result<Vec<_>>>()?;
                let s = i8::try_from(scale).map_err(table_error)?;
                Arc::new(
                    Decimal128Array::from(values)
                        .with_precision_and_scale(PRECISION, s)
                        .map_err(table_error)?,
                )
            }
        };
        fields.push(Field::new(&c.name, array.data_type().clone(), true));
        arrays.push(array);
    }
    let schema = Arc::new(Schema::new(fields));
    let mut writer =
        ArrowWriter::try_new(out, schema.clone(), Some(props())).map_err(table_error)?;
    if rows > 0 {
        let batch = RecordBatch::try_new(schema, arrays).map_err(table_error)?;
        writer.write(&batch).map_err(table_error)?;
    }
    writer.close().map_err(table_error)?;
    Ok(())
}

/// Reads back a table as [`write_table`] writes it: every column of
/// `UTF8`, `INT64`, `DECIMAL`, `DATE` or `BOOLEAN` type, all row groups.
///
/// # Errors
///
/// [`Error::Format`] when `file` is not readable Parquet, [`Error::ColumnType`]
/// for a column of another type.
///
/// ```
/// use crm_parquet::{Column, ColumnData, read_table, write_table};
/// let dir = tempfile::tempdir()?;
/// let path = dir.path().join("t.parquet");
/// let columns = vec![Column::infer("value", ["1.5", "", "-2"])];
/// write_table(std::fs::File::create(&path)?, &columns)?;
/// assert_eq!(read_table(&path)?, columns);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_table(file: impl AsRef<std::path::Path>) -> Result<Vec<Column>> {
    use arrow_array::Array;
    use arrow_array::cast::AsArray;
    use arrow_array::types::{Date32Type, Decimal128Type, Int64Type};
    let file = file.as_ref();
    let f = std::fs::File::open(file).map_err(|e| Error::io(file, e))?;
    let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(f)
        .map_err(|e| Error::format(file, e))?;
    let schema = reader.schema().clone();
    let mut columns: Vec<Column> = Vec::new();
    for field in schema.fields() {
        let data = match field.data_type() {
            DataType::Utf8 => ColumnData::Text(Vec::new()),
            DataType::Int64 => ColumnData::Int(Vec::new()),
            DataType::Decimal128(..) => ColumnData::Decimal(Vec::new()),
            DataType::Date32 => ColumnData::Date(Vec::new()),
            DataType::Boolean => ColumnData::Bool(Vec::new()),
            other => {
                return Err(Error::ColumnType {
                    file: file.to_path_buf(),
                    column: field.name().clone(),
                    found: other.to_string(),
                    expected: "UTF8, INT64, DECIMAL, DATE or BOOLEAN".into(),
                });
            }
        };
        columns.push(Column::new(field.name().clone(), data));
    }
    let reader = reader.build().map_err(|e| Error::format(file, e))?;
    for batch in reader {
        let batch = batch.map_err(|e| Error::format(file, e))?;
        for (c, a) in columns.iter_mut().zip(batch.columns()) {
            let n = a.len();
            let valid = |i: usize| !a.is_null(i);
            match &mut c.data {
                ColumnData::Text(v) => {
                    let a = a.as_string::<i32>();
                    v.extend((0..n).map(|i| valid(i).then(|| a.value(i).to_string())));
                }
                ColumnData::Int(v) => {
                    let a = a.as_primitive::<Int64Type>();
                    v.extend((0..n).map(|i| valid(i).then(|| a.value(i))));
                }
                ColumnData::Decimal(v) => {
                    let scale = match a.data_type() {
                        DataType::Decimal128(_, s) => i32::from(*s),
                        _ => 0,
                    };
                    let a = a.as_primitive::<Decimal128Type>();
                    for i in 0..n {
                        v.push(match valid(i) {
                            false => None,
                            true => Some(
                                crate::columns::decimal_of(a.value(i), scale).ok_or_else(|| {
                                    Error::Row(Box::new(crate::BadRow {
                                        position: crate::Position {
                                            file: file.to_path_buf(),
                                            row_group: 0,
                                            row_in_group: 0,
                                            row: 0,
                                            column: Some(c.name.clone()),
                                        },
                                        problem: crm_csv::Problem::BadValue {
                                            value: a.value(i).to_string(),
                                            expected: "a decimal within 96 bits",
                                        },
                                    }))
                                })?,
                            ),
                        });
                    }
                }
                ColumnData::Date(v) => {
                    let a = a.as_primitive::<Date32Type>();
                    v.extend((0..n).map(|i| {
                        valid(i)
                            .then(|| {
                                NaiveDate::from_num_days_from_ce_opt(a.value(i) + EPOCH_FROM_CE)
                            })
                            .flatten()
                    }));
                }
                ColumnData::Bool(v) => {
                    let a = a.as_boolean();
                    v.extend((0..n).map(|i| valid(i).then(|| a.value(i))));
                }
            }
        }
    }
    Ok(columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unscaled_is_exact() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        assert_eq!(unscaled(d("12.5"), 2), Some(1250));
        assert_eq!(unscaled(d("12.500"), 2), Some(1250));
        assert_eq!(unscaled(d("12.505"), 2), None);
        assert_eq!(unscaled(Decimal::MAX, 10), None);
        assert_eq!(
            unscaled(Decimal::MAX, 9),
            Some(Decimal::MAX.mantissa() * 10i128.pow(9))
        );
    }

    #[test]
    fn inferred_types() {
        assert!(matches!(
            Column::infer("a", ["1", "-2", ""]).data,
            ColumnData::Int(_)
        ));
        assert!(matches!(
            Column::infer("a", ["1", "2.5"]).data,
            ColumnData::Decimal(_)
        ));
        assert!(matches!(
            Column::infer("a", ["2024-01-31"]).data,
            ColumnData::Date(_)
        ));
        assert!(matches!(
            Column::infer("a", ["true", "false"]).data,
            ColumnData::Bool(_)
        ));
        assert!(matches!(
            Column::infer("a", ["1e5"]).data,
            ColumnData::Text(_)
        ));
        assert!(matches!(
            Column::infer("a", ["0.5", "0"]).data,
            ColumnData::Decimal(_)
        ));
        assert!(matches!(
            Column::infer("a", ["01"]).data,
            ColumnData::Text(_)
        ));
        assert!(matches!(Column::infer("a", [""]).data, ColumnData::Text(_)));
        assert!(matches!(
            Column::infer("a", ["99999999999999999999"]).data,
            ColumnData::Decimal(_)
        ));
    }
}
