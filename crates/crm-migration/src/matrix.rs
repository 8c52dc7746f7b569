use std::fmt;

use crm_core::{CustomerId, Ledger, Money, Period};
use crm_pyramid::{Figures, Level, Pyramid, PyramidOptions, pyramid};

use crate::{Error, Result};

/// A row of the migration matrix: a customer's level in the earlier
/// period, or `New` when the customer was not yet known at its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// The level in the earlier period.
    Level(Level),
    /// Not known at the earlier period's end (not in its pyramid).
    New,
}

impl Source {
    /// All rows, high to low, `New` last.
    pub const ALL: [Source; 8] = [
        Source::Level(Level::Top),
        Source::Level(Level::Big),
        Source::Level(Level::Medium),
        Source::Level(Level::Small),
        Source::Level(Level::Inactive),
        Source::Level(Level::Prospect),
        Source::Level(Level::Suspect),
        Source::New,
    ];

    /// The name used in reports: a level's name, or `new`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Source::Level(l) => l.as_str(),
            Source::New => "new",
        }
    }

    /// The row index (top 0 ... suspect 6, new 7).
    pub const fn index(self) -> usize {
        match self {
            Source::Level(l) => l.index(),
            Source::New => 7,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Source {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Reads a level's name or `new`.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Source {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        Source::ALL
            .into_iter()
            .find(|s| s.as_str() == text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a level or \"new\"")))
    }
}

/// What a move from one level to another means for the business.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Movement {
    /// From an active level to a higher one.
    Up,
    /// Into an active level from outside the active and inactive levels:
    /// not yet known, a prospect or a suspect before.
    New,
    /// Into an active level from Inactive: won back.
    Reactivated,
    /// From an active level to a lower active one.
    Down,
    /// Lapsed: from an active level to Inactive (still in the pyramid; not
    /// *lost*, which is a former buyer beyond the inactivity horizon).
    Lapsed,
    /// The same level.
    Stayed,
    /// Between non-active levels (a suspect became a prospect, a new party
    /// is a prospect, ...).
    Other,
}

impl Movement {
    /// Every movement, in report order.
    pub const ALL: [Movement; 7] = [
        Movement::New,
        Movement::Reactivated,
        Movement::Up,
        Movement::Stayed,
        Movement::Down,
        Movement::Lapsed,
        Movement::Other,
    ];

    /// The movement of a customer from `from` to `to`.
    pub fn of(from: Source, to: Level) -> Movement {
        match from {
            Source::Level(f) if f == to => Movement::Stayed,
            Source::Level(f) if f.is_active() && to.is_active() => {
                if to < f {
                    Movement::Up
                } else {
                    Movement::Down
                }
            }
            Source::Level(f) if f.is_active() => Movement::Lapsed,
            Source::Level(Level::Inactive) if to.is_active() => Movement::Reactivated,
            _ if to.is_active() => Movement::New,
            _ => Movement::Other,
        }
    }

    /// The position in [`Movement::ALL`].
    pub const fn index(self) -> usize {
        match self {
            Movement::New => 0,
            Movement::Reactivated => 1,
            Movement::Up => 2,
            Movement::Stayed => 3,
            Movement::Down => 4,
            Movement::Lapsed => 5,
            Movement::Other => 6,
        }
    }

    /// Whether this movement counts as "up" in the summary (up, new and
    /// reactivated).
    pub fn is_up(self) -> bool {
        matches!(self, Movement::Up | Movement::New | Movement::Reactivated)
    }

    /// The name used in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Movement::Up => "up",
            Movement::New => "new",
            Movement::Reactivated => "reactivated",
            Movement::Down => "down",
            Movement::Lapsed => "lapsed",
            Movement::Stayed => "stayed",
            Movement::Other => "other",
        }
    }
}

impl fmt::Display for Movement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

/// One non-empty cell of the matrix.
///
/// In JSON (feature `serde`) with its `movement` beside the fields:
/// `{"from": "top", "to": "big", "movement": "down", "customers": 4,
/// "value_from": "132417.3", "value_to": "52873.68"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Cell {
    /// The row: the level before.
    pub from: Source,
    /// The column: the level after.
    pub to: Level,
    /// Customers who made this move.
    pub customers: u64,
    /// Their value in the earlier period.
    pub value_from: Money,
    /// Their value in the later period.
    pub value_to: Money,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Cell {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Cell", 6)?;
        st.serialize_field("from", &self.from)?;
        st.serialize_field("to", &self.to)?;
        st.serialize_field("movement", &self.movement())?;
        st.serialize_field("customers", &self.customers)?;
        st.serialize_field("value_from", &self.value_from)?;
        st.serialize_field("value_to", &self.value_to)?;
        st.end()
    }
}

impl Cell {
    /// What the move means.
    pub fn movement(&self) -> Movement {
        Movement::of(self.from, self.to)
    }
}

/// Customer counts per kind of move.
///
/// Two words are kept apart: *lapsed* is a move from an active level to
/// Inactive (the customer is still in the pyramid and can be won back);
/// *lost* is a customer who left the pyramid, beyond the inactivity
/// horizon, as in the pyramid report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct MigrationSummary {
    /// Moved up: up between active levels, plus new and reactivated.
    pub up: u64,
    /// Of `up`: new active customers.
    pub new: u64,
    /// Of `up`: reactivated customers.
    pub reactivated: u64,
    /// Moved down between active levels.
    pub down: u64,
    /// Lapsed: active before, inactive now.
    pub lapsed: u64,
    /// Same level.
    pub stayed: u64,
    /// Moves between non-active levels.
    pub other: u64,
    /// Lost: in the earlier pyramid but outside the later one (beyond the
    /// inactivity horizon); not in the matrix.
    pub lost: u64,
    /// `up - down - lapsed`: the net movement between levels (every step
    /// up counts one, every step down or out of the active levels minus
    /// one).
    pub net_movement: i64,
    /// `new + reactivated - lapsed`: the net inflow of active customers,
    /// the method's health figure (does the active base grow?). Customers
    /// moving between active levels do not change it.
    pub net_inflow: i64,
}

/// The value change from the earlier period to the later one, split over
/// the kinds of move; the parts add up exactly to `to_total - from_total`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Bridge {
    /// Value of the matrix's customers in the earlier period (plus those
    /// who left).
    pub from_total: Money,
    /// Value of the matrix's customers in the later period (plus those who
    /// left).
    pub to_total: Money,
    /// The change per kind of move, in [`Movement::ALL`] order. In JSON a
    /// list of objects, `[{"movement": "up", "value": "1250.5"}, ..]`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "steps"))]
    pub steps: Vec<(Movement, Money)>,
    /// The change from customers lost from the pyramid (beyond the
    /// inactivity horizon): their earlier value, negated, plus any later
    /// credit notes.
    pub lost: Money,
}

/// Writes the bridge's steps as `{"movement", "value"}` objects.
#[cfg(feature = "serde")]
fn steps<S: serde::Serializer>(
    steps: &[(Movement, Money)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    #[derive(serde::Serialize)]
    struct Step {
        movement: Movement,
        value: Money,
    }
    s.collect_seq(
        steps
            .iter()
            .map(|&(movement, value)| Step { movement, value }),
    )
}

/// The migration matrix between an earlier period and a later one
/// (see the [crate documentation](crate#definitions)).
///
/// In JSON (feature `serde`): `from` and `to` (periods), `levels` (the
/// row names, [`Source::ALL`]), `cells` (the non-empty [`Cell`]s, row by
/// row), `summary` and `bridge`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Migration {
    /// The earlier period.
    pub from: Period,
    /// The later period.
    pub to: Period,
    cells: [[(u64, Money, Money); 7]; 8],
    rows: [Figures; 8],
    columns: [Figures; 7],
    /// Counts per kind of move.
    pub summary: MigrationSummary,
    /// The value bridge.
    pub bridge: Bridge,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Migration {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Cells<'a>(&'a Migration);
        impl serde::Serialize for Cells<'_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_seq(self.0.cells())
            }
        }
        let levels: [&str; 8] = Source::ALL.map(Source::as_str);
        let mut st = s.serialize_struct("Migration", 6)?;
        st.serialize_field("from", &self.from)?;
        st.serialize_field("to", &self.to)?;
        st.serialize_field("levels", &levels)?;
        st.serialize_field("cells", &Cells(self))?;
        st.serialize_field("summary", &self.summary)?;
        st.serialize_field("bridge", &self.bridge)?;
        st.end()
    }
}

fn add(a: Money, b: Money, what: impl FnOnce() -> String) -> Result<Money> {
    a.checked_add(b).ok_or_else(|| overflow(what()))
}

fn overflow(what: String) -> Error {
    crm_core::Error::AmountOverflow { what }.into()
}

impl Migration {
    /// The matrix between two pyramids of the same ledger and options.
    ///
    /// The periods are usually consecutive. They may overlap, as rolling
    /// windows do (the twelve months to June against the twelve months to
    /// May): then sales in the shared days count in both periods' values.
    /// The later period must end after the earlier one.
    ///
    /// # Errors
    ///
    /// [`Error::OptionsDiffer`] when the pyramids were built with
    /// different options, [`Error::OtherLedger`] when from a ledger other
    /// than `ledger`; [`Error::SamePeriod`] when both pyramids are of the
    /// same period; [`Error::PeriodOrder`] when `later` does not end
    /// after `earlier`; [`Error::Core`] on an overflow.
    pub fn between(ledger: &Ledger, earlier: &Pyramid, later: &Pyramid) -> Result<Migration> {
        if earlier.options() != later.options() {
            return Err(Error::OptionsDiffer);
        }
        check_order(earlier.period(), later.period())?;
        check_ledger(ledger, earlier, later)?;
        let mut cells = [[(0u64, Money::ZERO, Money::ZERO); 7]; 8];
        let mut summary = MigrationSummary::default();
        let mut left_from = Money::ZERO;
        let mut left_to = Money::ZERO;
        for id in ledger.ids() {
            let (a, b) = levels(earlier, later, id)?;
            let Some(to) = b else {
                if a.is_some() {
                    summary.lost += 1;
                    let what = |p: &Period| format!("the value in {p} of the customers lost");
                    left_from = add(left_from, earlier.value_of(id)?, || what(earlier.period()))?;
                    left_to = add(left_to, later.value_of(id)?, || what(later.period()))?;
                }
                continue;
            };
            let from = a.map_or(Source::New, Source::Level);
            let c = &mut cells[from.index()][to.index()];
            c.0 += 1;
            let what = |p: &Period| format!("the value in {p} of the cell {from} to {to}");
            c.1 = add(c.1, earlier.value_of(id)?, || what(earlier.period()))?;
            c.2 = add(c.2, later.value_of(id)?, || what(later.period()))?;
        }
        let mut steps: Vec<(Movement, Money)> =
            Movement::ALL.iter().map(|&m| (m, Money::ZERO)).collect();
        let mut from_total = left_from;
        let mut to_total = left_to;
        let mut rows = [Figures::default(); 8];
        let mut columns = [Figures::default(); 7];
        for from in Source::ALL {
            for to in Level::ALL {
                let (n, vf, vt) = cells[from.index()][to.index()];
                if n == 0 {
                    continue;
                }
                let m = Movement::of(from, to);
                match m {
                    Movement::Up => summary.up += n,
                    Movement::New => {
                        summary.up += n;
                        summary.new += n;
                    }
                    Movement::Reactivated => {
                        summary.up += n;
                        summary.reactivated += n;
                    }
                    Movement::Down => summary.down += n,
                    Movement::Lapsed => summary.lapsed += n,
                    Movement::Stayed => summary.stayed += n,
                    Movement::Other => summary.other += n,
                }
                let step = &mut steps[m.index()];
                let step_name = || format!("the {m} step of the value bridge");
                let change = vt.checked_sub(vf).ok_or_else(|| overflow(step_name()))?;
                step.1 = add(step.1, change, step_name)?;
                let r = &mut rows[from.index()];
                r.customers += n;
                r.value = add(r.value, vf, || format!("the value of row {from}"))?;
                let c = &mut columns[to.index()];
                c.customers += n;
                c.value = add(c.value, vt, || format!("the value of column {to}"))?;
                let total = |p: &Period| format!("the value bridge's total of {p}");
                from_total = add(from_total, vf, || total(earlier.period()))?;
                to_total = add(to_total, vt, || total(later.period()))?;
            }
        }
        let signed = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        summary.net_movement = signed(summary.up)
            .saturating_sub(signed(summary.down))
            .saturating_sub(signed(summary.lapsed));
        summary.net_inflow = signed(summary.new)
            .saturating_add(signed(summary.reactivated))
            .saturating_sub(signed(summary.lapsed));
        Ok(Migration {
            from: *earlier.period(),
            to: *later.period(),
            cells,
            rows,
            columns,
            summary,
            bridge: Bridge {
                from_total,
                to_total,
                steps,
                lost: left_to
                    .checked_sub(left_from)
                    .ok_or_else(|| overflow("the lost step of the value bridge".into()))?,
            },
        })
    }

    /// Customers and their values in the cell `from` → `to`.
    pub fn cell(&self, from: Source, to: Level) -> Cell {
        let (customers, value_from, value_to) = self.cells[from.index()][to.index()];
        Cell {
            from,
            to,
            customers,
            value_from,
            value_to,
        }
    }

    /// The non-empty cells, row by row, high to low.
    pub fn cells(&self) -> impl Iterator<Item = Cell> + '_ {
        Source::ALL
            .into_iter()
            .flat_map(move |f| Level::ALL.into_iter().map(move |t| self.cell(f, t)))
            .filter(|c| c.customers > 0)
    }

    /// Customers and value (in the earlier period) of a row.
    pub fn row_total(&self, from: Source) -> Figures {
        self.rows[from.index()]
    }

    /// Customers and value (in the later period) of a column.
    pub fn column_total(&self, to: Level) -> Figures {
        self.columns[to.index()]
    }
}

/// The levels of `id` in the two pyramids.
fn levels(a: &Pyramid, b: &Pyramid, id: CustomerId) -> Result<(Option<Level>, Option<Level>)> {
    Ok((a.level_of(id)?, b.level_of(id)?))
}

/// [`Error::SamePeriod`] when `later` is `earlier`, [`Error::PeriodOrder`]
/// unless `later` ends after `earlier`.
pub(crate) fn check_order(earlier: &Period, later: &Period) -> Result<()> {
    if later == earlier {
        return Err(Error::SamePeriod { period: *later });
    }
    if later.end() <= earlier.end() {
        return Err(Error::PeriodOrder {
            earlier: *earlier,
            later: *later,
        });
    }
    Ok(())
}

/// [`Error::OtherLedger`] unless both pyramids were built from `ledger`.
pub(crate) fn check_ledger(ledger: &Ledger, a: &Pyramid, b: &Pyramid) -> Result<()> {
    if a.check_ledger(ledger).is_err() || b.check_ledger(ledger).is_err() {
        return Err(Error::OtherLedger);
    }
    Ok(())
}

/// Builds both pyramids and the matrix between `earlier` and `later` from
/// one ledger (which must track both periods: one pass over the data).
///
/// # Errors
///
/// As [`Migration::between`], and [`Error::Pyramid`] when a pyramid
/// cannot be built (untracked period, bad cuts).
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period};
/// use crm_migration::{migration, Movement, Source};
/// use crm_pyramid::{Level, PyramidOptions};
///
/// let (y23, y24): (Period, Period) = ("2023".parse()?, "2024".parse()?);
/// let mut ledger = Ledger::new([y23, y24]);
/// let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
/// ledger.record_sale("A", d(2023, 3), "100".parse()?, None)?;
/// ledger.record_sale("B", d(2023, 3), "50".parse()?, None)?;
/// ledger.record_sale("B", d(2024, 3), "80".parse()?, None)?;
/// ledger.record_sale("C", d(2024, 5), "10".parse()?, None)?;
/// let m = migration(&ledger, &y23, &y24, &PyramidOptions::new())?;
/// assert_eq!(m.cell(Source::Level(Level::Top), Level::Inactive).customers, 1); // A, lapsed
/// assert_eq!(m.summary.new, 1); // C
/// assert_eq!(m.bridge.to_total - m.bridge.from_total, "-60".parse()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn migration(
    ledger: &Ledger,
    earlier: &Period,
    later: &Period,
    options: &PyramidOptions,
) -> Result<Migration> {
    let a = pyramid(ledger, earlier, options)?;
    let b = pyramid(ledger, later, options)?;
    Migration::between(ledger, &a, &b)
}
