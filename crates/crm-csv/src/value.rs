//! One field's value parsed exactly as the CSV reader parses it, for
//! readers of other formats that meet the same values as text (a Parquet
//! string column, say), so that both give the same results.

use crm_core::{Money, NaiveDate};

use crate::{DecimalSeparator, Problem};

/// A date as the CSV reader reads it: `2024-03-01` (a time after it is
/// ignored), `2024/03/01`, `01-03-2024`, `1/3/2024`, `01.03.2024` (day
/// first) or `20240301`; surrounding spaces and byte-order marks are
/// dropped.
///
/// # Errors
///
/// [`Problem::Missing`] for an empty field, [`Problem::BadValue`] for
/// anything else that is not such a date.
///
/// ```
/// assert_eq!(crm_csv::value::date(" 01-03-2024 ")?.to_string(), "2024-03-01");
/// # Ok::<(), crm_csv::Problem>(())
/// ```
pub fn date(field: &str) -> Result<NaiveDate, Problem> {
    crate::parse::parse_date(field.as_bytes())
}

/// An amount as the CSV reader reads it, with `decimal` as the separator
/// ([`DecimalSeparator::Auto`] is the point here: there is no delimiter
/// to pair it with). Thousands separators, currency signs and exponents are
/// refused.
///
/// # Errors
///
/// [`Problem::Missing`] for an empty field, [`Problem::BadValue`] for
/// anything else that is not such an amount.
///
/// ```
/// use crm_csv::DecimalSeparator;
/// assert_eq!(crm_csv::value::money("-12,50", DecimalSeparator::Comma)?.to_string(), "-12.50");
/// # Ok::<(), crm_csv::Problem>(())
/// ```
pub fn money(field: &str, decimal: DecimalSeparator) -> Result<Money, Problem> {
    crate::parse::parse_money(field.as_bytes(), decimal.resolve(b','))
}

/// A customer key as the CSV reader reads it: trimmed of surrounding
/// spaces and byte-order marks, not empty, and valid for the model.
///
/// # Errors
///
/// [`Problem::Missing`] for an empty field, [`Problem::Model`] for a key
/// the model refuses.
///
/// ```
/// assert_eq!(crm_csv::value::key(" C1 ")?, "C1");
/// # Ok::<(), crm_csv::Problem>(())
/// ```
pub fn key(field: &str) -> Result<&str, Problem> {
    let k = std::str::from_utf8(crate::parse::trim(field.as_bytes())).map_err(|_| Problem::Utf8)?;
    if k.is_empty() {
        return Err(Problem::Missing);
    }
    crm_core::check_key(k).map_err(Problem::Model)?;
    Ok(k)
}
