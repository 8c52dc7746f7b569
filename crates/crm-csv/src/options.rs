use crate::DecimalSeparator;
use crate::{Error, Result};

/// What to do with a bad row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// Stop at the first bad row with an error naming file, line, column
    /// and value. Default.
    #[default]
    Strict,
    /// Skip bad rows; each is counted and reported in the
    /// [`ImportReport`](crate::ImportReport) with where and why.
    Lenient,
}

/// The fields each kind of file knows, by canonical column name.
pub(crate) const TRANSACTION_FIELDS: &[&str] = &[
    "customer_id",
    "date",
    "revenue",
    "margin",
    "transaction_id",
    "quantity",
    "product",
];
pub(crate) const CUSTOMER_FIELDS: &[&str] = &[
    "customer_id",
    "stage",
    "name",
    "segment",
    "region",
    "acquired",
    "potential",
    "consent_email",
    "consent_phone",
    "consent_post",
];
pub(crate) const INTERACTION_FIELDS: &[&str] = &[
    "customer_id",
    "date",
    "kind",
    "cost",
    "note",
    "interaction_id",
    "campaign",
];
pub(crate) const LEAD_FIELDS: &[&str] = &[
    "lead_id",
    "customer_id",
    "stage",
    "value",
    "lead_date",
    "qualified_date",
    "quote_date",
    "won_date",
    "lost_date",
    "date",
    "owner",
    "source",
    "lost_reason",
];

/// How to read a CSV file.
///
/// ```
/// use crm_csv::{ImportOptions, Mode, DecimalSeparator};
///
/// let options = ImportOptions::new()
///     .delimiter(b';')
///     .decimal(DecimalSeparator::Comma)
///     .column("customer_id", "klantnummer")?
///     .mode(Mode::Lenient);
/// assert_eq!(options.mode, Mode::Lenient);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ImportOptions {
    /// The field delimiter; `None` (default) detects `,`, `;` or tab from
    /// the header line.
    pub delimiter: Option<u8>,
    /// The decimal separator of amounts. Default: [`DecimalSeparator::Auto`].
    pub decimal: DecimalSeparator,
    /// Strict (default) or lenient.
    pub mode: Mode,
    /// Header names for fields whose column is not named canonically, as
    /// `(field, header)` pairs.
    pub columns: Vec<(String, String)>,
    /// Threads for large files; `0` (default) uses every available core.
    /// At most one thread is used per full 4 MiB of the file, so a file
    /// under 8 MiB is read on one thread and a 10 MB file on at most two,
    /// whatever is asked: below that, threads cost more than they give.
    /// [`ImportReport::threads`](crate::ImportReport::threads) says how
    /// many ran.
    pub threads: usize,
    /// Read a large regular transactions file by partitions of the
    /// customer keys instead of with a ledger per thread: each thread
    /// parses a piece of the file into buffers by key hash, then
    /// aggregates the partitions it owns, each into a table of only its
    /// keys, and the partitions are merged at the end with
    /// [`Ledger::merge_disjoint`](crm_core::Ledger::merge_disjoint). The
    /// result is the ledger a sequential read gives (customers numbered in
    /// order of first appearance).
    ///
    /// Only [`read_transactions`](crate::read_transactions) reads by
    /// partitions, and only when the input is a regular file of at least
    /// 8 MiB and the ledger holds no transactions yet (register entries
    /// and interactions do not matter). Otherwise it reads as if this
    /// were `false`, with a ledger per thread (and on one thread for a
    /// file under 8 MiB): a non-regular input (a pipe, a device), a
    /// smaller file, or a ledger that already holds transactions, whose
    /// sums could overflow only in the final merge, where no row could be
    /// blamed. The result is the same ledger either way.
    ///
    /// Default `false`: on a file in date order, with about as many
    /// customers as rows per round of the file, the ledger per thread
    /// measured faster (about 1.17 times less CPU and 1.37 times less peak
    /// memory on 10.5 million rows and a million customers), since
    /// buffering every row costs what the smaller tables save. The option
    /// is kept so that the two reads can be compared on other data.
    pub partitioned: bool,
}

impl ImportOptions {
    /// The defaults: detected delimiter, automatic decimal separator,
    /// strict, canonical column names, all cores.
    pub fn new() -> ImportOptions {
        ImportOptions::default()
    }

    /// Sets the delimiter (`b','`, `b';'` or `b'\t'` are usual).
    #[must_use]
    pub fn delimiter(mut self, delimiter: u8) -> ImportOptions {
        self.delimiter = Some(delimiter);
        self
    }

    /// Sets the decimal separator.
    #[must_use]
    pub fn decimal(mut self, decimal: DecimalSeparator) -> ImportOptions {
        self.decimal = decimal;
        self
    }

    /// Sets the mode.
    #[must_use]
    pub fn mode(mut self, mode: Mode) -> ImportOptions {
        self.mode = mode;
        self
    }

    /// Sets the number of threads (`0` for all cores).
    #[must_use]
    pub fn threads(mut self, threads: usize) -> ImportOptions {
        self.threads = threads;
        self
    }

    /// Reads large transactions files by key partitions; see
    /// [`ImportOptions::partitioned`](ImportOptions#structfield.partitioned).
    #[must_use]
    pub fn partitioned(mut self, yes: bool) -> ImportOptions {
        self.partitioned = yes;
        self
    }

    /// Reads `field` (a canonical name such as `customer_id`, `date`,
    /// `revenue`) from the column headed `header` (matched ignoring case
    /// and surrounding spaces).
    ///
    /// # Errors
    ///
    /// [`Error::Option`] when `field` is not a field of any file kind.
    pub fn column(mut self, field: &str, header: &str) -> Result<ImportOptions> {
        let known = TRANSACTION_FIELDS
            .iter()
            .chain(CUSTOMER_FIELDS)
            .chain(INTERACTION_FIELDS)
            .chain(LEAD_FIELDS)
            .any(|f| *f == field);
        if !known {
            return Err(Error::Option(format!(
                "unknown field {field:?} in a column mapping; known fields: {}",
                known_fields()
            )));
        }
        self.columns.retain(|(f, _)| f != field);
        self.columns
            .push((field.to_string(), header.trim().to_string()));
        Ok(self)
    }

    /// Parses mappings written `field=header,field=header`, as on the
    /// command line, and adds them.
    ///
    /// # Errors
    ///
    /// [`Error::Option`] for a pair without `=` or an unknown field.
    pub fn columns_from_str(mut self, spec: &str) -> Result<ImportOptions> {
        for pair in spec.split(',').filter(|p| !p.trim().is_empty()) {
            let (f, h) = pair.split_once('=').ok_or_else(|| {
                Error::Option(format!("column mapping {pair:?} is not field=header"))
            })?;
            self = self.column(f.trim(), h)?;
        }
        Ok(self)
    }

    /// The header name to look for for `field`.
    pub(crate) fn header_for<'a>(&'a self, field: &'a str) -> &'a str {
        self.columns
            .iter()
            .find(|(f, _)| f == field)
            .map_or(field, |(_, h)| h.as_str())
    }
}

fn known_fields() -> String {
    let mut all: Vec<&str> = TRANSACTION_FIELDS
        .iter()
        .chain(CUSTOMER_FIELDS)
        .chain(INTERACTION_FIELDS)
        .chain(LEAD_FIELDS)
        .copied()
        .collect();
    all.sort_unstable();
    all.dedup();
    all.join(", ")
}
