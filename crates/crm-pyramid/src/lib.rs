//! The customer pyramid of Jay Curry's Customer Marketing Method: who are
//! the Top, Big, Medium and Small customers of a period, who is Inactive,
//! who is a Prospect or a Suspect, and what each level is worth.
//!
//! Most users want the `crm` facade crate, which re-exports this one as
//! `crm::pyramid`. The pyramid is a plain function of a
//! [`crm_core::Ledger`]; reading files is another crate's job.
//!
//! ```
//! use crm_core::{Ledger, NaiveDate, Period};
//! use crm_pyramid::{pyramid, Level, PyramidOptions, PyramidReport};
//!
//! let (y23, y24): (Period, Period) = ("2023".parse()?, "2024".parse()?);
//! let mut ledger = Ledger::new([y24, y23]);
//! let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
//! ledger.record_sale("A", d(2023, 3), "900".parse()?, None)?;
//! ledger.record_sale("A", d(2024, 3), "1000".parse()?, None)?;
//! ledger.record_sale("B", d(2023, 5), "50".parse()?, None)?;
//! ledger.record_sale("C", d(2024, 8), "20".parse()?, None)?;
//! let options = PyramidOptions::new();
//! let now = pyramid(&ledger, &y24, &options)?;
//! let before = pyramid(&ledger, &y23, &options)?;
//! let report = PyramidReport::new(&now, Some(&before));
//! assert_eq!(report.level(Level::Top).customers, 1);
//! assert_eq!(report.level(Level::Inactive).customers, 1); // B
//! assert_eq!(report.level(Level::Small).change.unwrap().customers, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`pyramid`] builds a [`Pyramid`]: every customer's [`Level`], rank and
//!   value, and [`Figures`] per level.
//! - [`PyramidOptions`] and [`Cuts`]: value basis, Curry's 1/5/20% cuts or
//!   others, ABC by share of value (the Pareto classification, not the
//!   A/B/C of mutual benefit), fixed value bands, inactivity horizon.
//! - [`PyramidReport`]: the report per level with the previous period and
//!   the change, and the Pareto figure.
//!
//! # Words
//!
//! - *Suspect*: in the register (the target market), never contacted.
//!   *Prospect*: contacted, never bought; a register entry with stage
//!   `customer` but no purchase in the history is a prospect too (from its
//!   acquisition date on), and is counted apart as a data gap.
//! - *Lost*: a former buyer whose last purchase lies beyond the inactivity
//!   horizon; out of the pyramid. Not to be confused with *lapsed*, the
//!   migration matrix's word for a move from an active level to Inactive.
//!
//! # Crate features
//!
//! - `serde`: `Serialize` for the reports, money as decimal strings.

#![deny(missing_docs)]
#![warn(missing_debug_implementations)]

mod error;
mod level;
mod options;
mod pyramid;
mod report;

pub use crate::{
    error::{Error, Result},
    level::Level,
    options::{Cuts, PyramidOptions},
    pyramid::{Assignment, Figures, Pyramid, cut_points, pyramid},
    report::{Change, LevelReport, PyramidReport},
};
