//! The partitioned read of a large transactions file.
//!
//! The rows of a file in date order reach every customer again and again,
//! so that a ledger fed row by row waits on a cache miss for nearly every
//! row, and a ledger per reading thread holds nearly every customer (two
//! ledgers, merged at the end). This read instead:
//!
//! 1. cuts the file into pieces of about [`PIECE`] bytes at line starts
//!    (the cuts depend on the file only, never on the thread count);
//! 2. reads the pieces a round at a time, one piece per thread, each row
//!    parsed and appended to the buffer of its partition (a fixed number
//!    of partitions by a hash of the key, seeded once per read);
//! 3. then aggregates the round's buffers on the same threads, each
//!    thread the partitions it owns, each partition into a ledger of its
//!    own that holds only that partition's keys, so that one customer has
//!    one record, the two threads never touch the same record and a
//!    partition's table is small enough to stay in cache while its rows
//!    are added;
//! 4. at the end, merges the partitions' ledgers into the caller's with
//!    [`Ledger::merge_disjoint`], customers numbered in order of first
//!    appearance in the file (each partition notes where each of its
//!    customers first appeared, as piece and line), which is the order a
//!    sequential read gives, whatever the number of threads.
//!
//! Memory follows the customers and the size of a round, not the file:
//! the buffers of a round are reused by the next.
//!
//! Rows are taken as the sequential read takes them (the same range
//! reader, quotes and all); a cut that falls inside a quoted field is
//! found as in [`crate::scan`] (the piece before it ends elsewhere), and
//! the rest of the file from the true record start is then left to the
//! caller. Errors and rejects keep their lines: relative to the piece,
//! made absolute by counting line ends only when a piece has any.

use std::hash::BuildHasher;
use std::io::Read;
use std::path::Path;

use crm_core::{Ledger, SaleBatch};

use crate::fields::{DateCache, TxCols};
use crate::header::Header;
use crate::import::{like, model_error};
use crate::reader::LineCounter;
use crate::scan::{Fields, LateError, Part, Refused, RowError, Scanned, Sink, cuts, run};
use crate::{Error, Location, Mode, Problem, Reject, Result};

/// Bytes of a piece: a round holds one piece per thread.
pub(crate) const PIECE: u64 = 32 << 20;
/// The most partitions.
const MAX_PARTITIONS: usize = 256;
/// About this many bytes of file per partition, below the most.
const BYTES_PER_PARTITION: u64 = 2 << 20;

/// The number of partitions for `bytes` of rows: a power of two, so that
/// a partition is the top bits of the hash.
fn partitions_for(bytes: u64) -> usize {
    let want = usize::try_from(bytes / BYTES_PER_PARTITION).unwrap_or(MAX_PARTITIONS);
    want.clamp(1, MAX_PARTITIONS).next_power_of_two()
}

/// The rows of one partition read from one piece.
#[derive(Debug, Clone, Default)]
struct Bucket {
    batch: SaleBatch,
    /// The line (relative to the piece) of each sale in `batch`.
    lines: Vec<u32>,
}

/// What a thread makes of one piece: its rows by partition.
pub(crate) struct Scatter {
    cols: TxCols,
    dates: DateCache,
    hasher: foldhash::fast::RandomState,
    /// Right shift of a hash that gives its partition.
    shift: u32,
    buckets: Vec<Bucket>,
}

impl Scatter {
    fn new(cols: TxCols, hasher: foldhash::fast::RandomState, partitions: usize) -> Scatter {
        Scatter {
            cols,
            dates: DateCache::default(),
            hasher,
            shift: 64 - partitions.trailing_zeros(),
            buckets: vec![Bucket::default(); partitions],
        }
    }

    fn partition(&self, key: &str) -> usize {
        let h = self.hasher.hash_one(key.as_bytes());
        // `checked_shr`: one partition shifts by 64, which is all bits.
        h.checked_shr(self.shift).unwrap_or(0) as usize
    }

    /// Empties every bucket, keeping their memory.
    fn clear(&mut self) {
        for b in &mut self.buckets {
            b.batch.clear();
            b.lines.clear();
        }
    }
}

impl Sink for Scatter {
    fn row<F: Fields>(&mut self, rec: &F, line: u64) -> std::result::Result<(), RowError> {
        let (key, date, revenue, margin) = self.cols.parse_sale(rec, &mut self.dates)?;
        let k = self.partition(key);
        let b = &mut self.buckets[k];
        b.batch.push(key, date, revenue, margin);
        b.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        Ok(())
    }

    fn fresh(&self) -> Self {
        Scatter::new(self.cols, self.hasher.clone(), self.buckets.len())
    }

    /// Appends what `later` holds (its lines stay relative to its own
    /// range: the partitioned read never absorbs).
    fn absorb(&mut self, later: Self) -> std::result::Result<(), Refused> {
        for (mine, theirs) in self.buckets.iter_mut().zip(&later.buckets) {
            for (s, &line) in theirs.batch.sales().iter().zip(&theirs.lines) {
                mine.batch.push(s.key, s.date, s.revenue, s.margin);
                mine.lines.push(line);
            }
        }
        Ok(())
    }
}

/// The ledger of one partition, and where each of its customers first
/// appeared: `piece << 32 | line`, in the order of their ids.
struct Partition {
    ledger: Ledger,
    first_seen: Vec<u64>,
}

/// Adds partition `k`'s rows of the round's `pieces` (numbered from
/// `first`) to `p`, in file order; errors found while recording go to
/// `late` with the piece's place in the round.
fn aggregate(
    p: &mut Partition,
    k: usize,
    pieces: &[Part<Scatter>],
    first: usize,
    key_col: usize,
    late: &mut Vec<(usize, LateError)>,
) {
    let Partition { ledger, first_seen } = p;
    for (j, part) in pieces.iter().enumerate() {
        let bucket = &part.sink.buckets[k];
        if bucket.lines.is_empty() {
            continue;
        }
        let base = ((first + j) as u64) << 32;
        let sales = bucket.batch.sales();
        let errors = ledger.record_sales_with(&sales, |i| {
            first_seen.push(base | u64::from(bucket.lines[i]));
        });
        for (i, e) in errors {
            let s = &sales[i];
            let record = vec![
                s.key.to_string(),
                s.date.to_string(),
                s.revenue.to_string(),
                s.margin.map(|m| m.to_string()).unwrap_or_default(),
            ];
            late.push((
                j,
                (u64::from(bucket.lines[i]), model_error(key_col, e), record),
            ));
        }
    }
}

/// Line numbers of byte offsets that are line starts, counted forward
/// from the last one asked.
struct Lines<'p> {
    path: &'p Path,
    at: u64,
    line: u64,
}

impl Lines<'_> {
    /// The 1-based line of `offset`, a line start at or after the last
    /// one asked.
    fn of(&mut self, offset: u64) -> Result<u64> {
        if offset < self.at {
            return crate::scan::line_at(self.path, offset);
        }
        let io = |e| Error::io(self.path, e);
        let mut f = std::fs::File::open(self.path).map_err(io)?;
        std::io::Seek::seek(&mut f, std::io::SeekFrom::Start(self.at)).map_err(io)?;
        let mut f = f.take(offset - self.at);
        let mut buf = vec![0u8; 1 << 20];
        let mut lines = LineCounter::default();
        loop {
            let n = match f.read(&mut buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => r.map_err(io)?,
            };
            if n == 0 {
                break;
            }
            lines.count(&buf[..n]);
        }
        self.at = offset;
        self.line += lines.ends;
        Ok(self.line)
    }
}

/// How a partitioned read ended.
pub(crate) struct Partitioned {
    /// Rows and rejects of the pieces read.
    pub scanned: Scanned,
    /// A record start from which the rest of the file is still to be
    /// read (a cut fell inside a quoted field), and its line.
    pub rest: Option<(u64, u64)>,
}

fn reject(
    path: &Path,
    header: &Header,
    line: u64,
    (col, problem): RowError,
    record: Vec<String>,
) -> Reject {
    Reject {
        location: Location {
            file: path.to_path_buf(),
            line,
            column: col.map(|c| c + 1),
            field: col.and_then(|c| header.names.get(c).cloned()),
        },
        problem,
        record,
    }
}

/// Reads the transactions of the regular file `path`, `len` bytes long,
/// into `ledger` by partitions (see the module's documentation).
#[allow(clippy::too_many_arguments)] // one private step of read_transactions
pub(crate) fn read_partitioned(
    path: &Path,
    len: u64,
    header: &Header,
    mode: Mode,
    threads: usize,
    cols: TxCols,
    ledger: &mut Ledger,
    piece: u64,
) -> Result<Partitioned> {
    let start = header.data_start.min(len);
    let bytes = len - start;
    let threads = threads.max(1);
    let pieces = usize::try_from(bytes.div_ceil(piece.max(1)))
        .unwrap_or(usize::MAX)
        .max(1);
    let cuts = if pieces > 1 {
        cuts(path, start, len, pieces)?
    } else {
        vec![start]
    };
    let ends: Vec<u64> = cuts.iter().skip(1).copied().chain([len]).collect();
    let npart = partitions_for(bytes);
    let proto = Scatter::new(cols, foldhash::fast::RandomState::default(), npart);
    let mut parts: Vec<Partition> = (0..npart)
        .map(|_| Partition {
            ledger: like(ledger),
            first_seen: Vec::new(),
        })
        .collect();
    let mut lines = Lines {
        path,
        at: header.data_start,
        line: header.data_line,
    };
    let mut out = Scanned {
        threads,
        ..Scanned::default()
    };
    let mut spare: Vec<Scatter> = Vec::new();
    let mut rest = None;
    let mut first = 0;
    'rounds: while first < cuts.len() {
        let last = (first + threads).min(cuts.len());
        let sinks: Vec<Scatter> = (first..last)
            .map(|_| spare.pop().unwrap_or_else(|| proto.fresh()))
            .collect();
        let mut done: Vec<Part<Scatter>> = std::thread::scope(|scope| {
            let handles: Vec<_> = sinks
                .into_iter()
                .enumerate()
                .map(|(j, sink)| {
                    let (a, b) = (cuts[first + j], ends[first + j]);
                    scope.spawn(move || run(path, a, b, header, mode, sink))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        // The pieces that were read from a true record start: up to the
        // first that stopped on an error or did not end at the next cut.
        let mut kept = done.len();
        let mut stop = false;
        for (j, part) in done.iter().enumerate() {
            let i = first + j;
            if part.fatal.is_some() || part.error.is_some() {
                kept = j + 1;
                stop = true;
                break;
            }
            if part.next_start != ends[i] {
                kept = j + 1;
                stop = true;
                if part.next_start < len {
                    rest = Some(part.next_start);
                }
                break;
            }
        }
        let kept_parts = &done[..kept];
        let key_col = cols.key_col();
        let late: Vec<Vec<(usize, LateError)>> = std::thread::scope(|scope| {
            let mut groups: Vec<Vec<(usize, &mut Partition)>> =
                (0..threads).map(|_| Vec::new()).collect();
            for (k, p) in parts.iter_mut().enumerate() {
                groups[k % threads].push((k, p));
            }
            let handles: Vec<_> = groups
                .into_iter()
                .map(|group| {
                    scope.spawn(move || {
                        let mut late = Vec::new();
                        for (k, p) in group {
                            aggregate(p, k, kept_parts, first, key_col, &mut late);
                        }
                        late
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
        let mut late_by_piece: Vec<Vec<LateError>> = vec![Vec::new(); kept];
        for (j, e) in late.into_iter().flatten() {
            late_by_piece[j].push(e);
        }
        for (j, (part, mut late)) in done.iter_mut().zip(late_by_piece).enumerate() {
            if let Some(e) = part.fatal.take() {
                return Err(e);
            }
            out.rows += part.rows;
            late.sort_by_key(|e| e.0);
            match mode {
                Mode::Strict => {
                    let first_late = late.into_iter().next();
                    let error = match (part.error.take(), first_late) {
                        (Some(a), Some(b)) => Some(if b.0 < a.0 { b } else { a }),
                        (a, b) => a.or(b),
                    };
                    if let Some((line, err, _)) = error {
                        let base = lines.of(cuts[first + j])? - 1;
                        let r = reject(path, header, base + line, err, Vec::new());
                        return Err(Error::from(crate::BadRow {
                            location: r.location,
                            problem: r.problem,
                        }));
                    }
                }
                Mode::Lenient => {
                    if part.rejects.is_empty() && late.is_empty() {
                        continue;
                    }
                    let base = lines.of(cuts[first + j])? - 1;
                    let mut rejects = std::mem::take(&mut part.rejects);
                    for (line, err, record) in late {
                        rejects.push(reject(path, header, line, err, record));
                    }
                    rejects.sort_by_key(|r| r.location.line);
                    for mut r in rejects {
                        r.location.file = path.to_path_buf();
                        r.location.line += base;
                        out.rejects.push(r);
                    }
                }
            }
        }
        for mut part in done {
            part.sink.clear();
            spare.push(part.sink);
        }
        if stop {
            break 'rounds;
        }
        first = last;
    }
    drop(spare);
    // Number the customers in order of first appearance.
    let mut order: Vec<(u64, u32, u32)> = parts
        .iter()
        .enumerate()
        .flat_map(|(k, p)| {
            p.first_seen
                .iter()
                .enumerate()
                .map(move |(i, &f)| (f, k as u32, i as u32))
        })
        .collect();
    order.sort_unstable();
    let order: Vec<(u32, u32)> = order.into_iter().map(|(_, k, i)| (k, i)).collect();
    let ledgers: Vec<Ledger> = parts.into_iter().map(|p| p.ledger).collect();
    ledger.merge_disjoint(&ledgers, &order).map_err(|e| {
        Error::from(crate::BadRow {
            location: Location {
                file: path.to_path_buf(),
                line: 0,
                column: None,
                field: None,
            },
            problem: Problem::Model(e),
        })
    })?;
    let rest = match rest {
        Some(at) => Some((at, lines.of(at)?)),
        None => None,
    };
    Ok(Partitioned { scanned: out, rest })
}

#[cfg(test)]
mod tests {
    use crm_core::{Ledger, LedgerOptions, NaiveDate, Period};
    use proptest::prelude::*;

    use crate::import::read_transactions_partitioned;
    use crate::{ImportOptions, Mode, read_transactions};

    /// Everything a ledger says, customer by customer, in id order.
    fn dump(l: &Ledger) -> Vec<String> {
        let mut out = vec![format!("{:?}", l.stats())];
        for id in l.ids() {
            let mut line = format!("{:?} {:?}", l.key(id), l.totals(id));
            for p in 0..l.periods().len() {
                line.push_str(&format!(" {:?}", l.period_totals(id, p)));
            }
            if l.options().purchase_days {
                line.push_str(&format!(" {:?}", l.purchase_day_numbers(id)));
            }
            out.push(line);
        }
        out
    }

    /// One line of a transactions file: mostly good rows, some bad ones,
    /// some quoted (a few with a line break inside), some blank.
    fn row() -> impl Strategy<Value = String> {
        let key = prop::sample::select(vec![
            "C1",
            "C2",
            "C3",
            "K-0004",
            "a-rather-long-customer-key-5",
            "another-long-customer-key-6",
            "C7",
            "C8",
            "",
            "bad key",
        ]);
        let date = prop::sample::select(vec![
            "2022-03-01",
            "2023-06-30",
            "2023-12-31",
            "2024-01-01",
            "2024-07-15",
            "2025-02-28",
            "2025-12-31",
            "2024-13-01",
        ]);
        let amount = prop::sample::select(vec![
            "10",
            "-3.5",
            "0.001",
            "12.50",
            "0",
            "-0.00",
            "288230376151711744",
            "79228162514264337593543950335",
            "abc",
        ]);
        let margin = prop::sample::select(vec!["", "1.25", "-2", "0.10"]);
        (key, date, amount, margin, 0u8..20).prop_map(|(k, d, a, m, shape)| match shape {
            0 => String::new(),
            1 => format!("{k},{d}"),
            2 => format!("\"{k}\",{d},\"{a}\",{m}"),
            3 => format!("\"{k}\nX\",{d},{a},{m}"),
            _ => format!("{k},{d},{a},{m}"),
        })
    }

    fn file(crlf: bool, rows: &[String]) -> String {
        let eol = if crlf { "\r\n" } else { "\n" };
        let mut s = format!("customer_id,date,revenue,margin{eol}");
        for r in rows {
            s.push_str(r);
            s.push_str(eol);
        }
        s
    }

    /// A ledger of `periods`; `prefill` 1 knows two customers from a
    /// register and an interaction, 2 from sales.
    fn ledger(periods: &[i32], days: bool, prefill: u8) -> Ledger {
        let periods = periods
            .iter()
            .map(|y| y.to_string().parse::<Period>().unwrap());
        let mut l = Ledger::with_options(periods, LedgerOptions::new().purchase_days(days));
        let d = NaiveDate::from_ymd_opt(2024, 5, 5).unwrap();
        match prefill {
            1 => {
                l.record_register("C3", crm_core::Stage::Prospect).unwrap();
                l.record_interaction("Z9", d).unwrap();
            }
            2 => {
                l.record_sale("C3", d, "7".parse().unwrap(), None).unwrap();
                l.record_sale("Z9", d, "1".parse().unwrap(), None).unwrap();
            }
            _ => {}
        }
        l
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// The partitioned read gives the ledger, the counts, the rejects
        /// and the errors of a sequential read, for any piece size and
        /// thread count.
        #[test]
        fn partitioned_equals_sequential(
            rows in prop::collection::vec(row(), 0..120),
            crlf in any::<bool>(),
            lenient in any::<bool>(),
            periods in prop::sample::subsequence(vec![2025, 2024, 2023, 2022], 1..=4),
            days in any::<bool>(),
            prefill in 0u8..3,
            piece in 1u64..400,
            threads in 1usize..=4,
        ) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("transactions.csv");
            std::fs::write(&path, file(crlf, &rows)).unwrap();
            let mode = if lenient { Mode::Lenient } else { Mode::Strict };
            let options = ImportOptions::new().mode(mode).threads(1);
            let mut a = ledger(&periods, days, prefill);
            let mut b = ledger(&periods, days, prefill);
            let seq = read_transactions(&path, &options, &mut a);
            let par = read_transactions_partitioned(&path, &options, &mut b, piece, threads);
            match (seq, par) {
                (Ok(s), Ok(p)) => {
                    prop_assert_eq!((s.rows, s.imported), (p.rows, p.imported));
                    prop_assert_eq!(s.rejects, p.rejects);
                    prop_assert_eq!(dump(&a), dump(&b));
                }
                (Err(s), Err(p)) => prop_assert_eq!(s.to_string(), p.to_string()),
                (s, p) => prop_assert!(false, "sequential {:?}, partitioned {:?}", s, p),
            }
        }
    }

    /// A cut inside a quoted field that holds whole rows: the rest of the
    /// file is read from the true record start, with the sequential result.
    #[test]
    fn a_cut_inside_a_quoted_field_reads_the_rest_from_the_record_start() {
        let mut rows: Vec<String> = (0..40)
            .map(|i| format!("C{},2024-0{}-01,{i}.5,", i % 7, 1 + i % 9))
            .collect();
        rows.insert(
            10,
            "\"C1,2024-01-01,5\nC2,2024-01-02,6\nC3,2024-01-03,7\",2024-02-02,1,".to_string(),
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, file(false, &rows)).unwrap();
        let options = ImportOptions::new().mode(Mode::Lenient);
        let mut a = ledger(&[2024], false, 0);
        let seq = read_transactions(&path, &options, &mut a).unwrap();
        for piece in [30, 64, 100, 200] {
            for threads in 1..=3 {
                let mut b = ledger(&[2024], false, 0);
                let par =
                    read_transactions_partitioned(&path, &options, &mut b, piece, threads).unwrap();
                assert_eq!((seq.rows, &seq.rejects), (par.rows, &par.rejects));
                assert_eq!(dump(&a), dump(&b), "piece {piece}, threads {threads}");
            }
        }
        assert_eq!(seq.rejects.len(), 1);
    }
}
