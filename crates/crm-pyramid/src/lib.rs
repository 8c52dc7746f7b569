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
//! # Definitions
//!
//! For a period P and a value basis (revenue, or margin):
//!
//! 1. A customer's **value** in P is the sum of that basis over its
//!    transactions dated in P (credit notes net out).
//! 2. **Active** customers have value > 0 in P. They are ranked by value,
//!    descending, ties by customer key in byte order, so the result is
//!    deterministic.
//! 3. With n active customers and cumulative cuts of 1%, 5% and 20% (Top
//!    1%, Big 4%, Medium 15%, Small 80%; configurable), the boundaries are
//!    `ceil(n × cut)` computed in decimals, never in floating point: ranks
//!    1..b1 are **Top**, b1+1..b2 **Big**, b2+1..b3 **Medium**, the rest
//!    **Small**. 2,000 active customers give 20 / 80 / 300 / 1,600.
//! 4. **Inactive**: not active in P, with a transaction of positive value
//!    dated before P's start (within the inactivity horizon when one is
//!    set; older buyers are *lost* and leave the pyramid).
//! 5. **Prospect**: neither active nor inactive, and with a transaction
//!    (a credit note or a zero sale is a contact too) or an interaction
//!    dated before P's end, or register stage `prospect`, or register
//!    stage `customer` with an acquisition date before P's end (or none).
//!    **Suspect**: in the register (the target market), never contacted:
//!    none of those. Customers first seen after P's end and not in the
//!    register are not in P's pyramid.
//!
//!    A party the register calls a customer is at least a prospect; when
//!    its history has no purchase by P's end the data has a gap, and the
//!    pyramid counts those prospects apart ("register says customer, no
//!    purchase found").
//! 6. Transactions after P's end are ignored for P.
//!
//! *Lost* (beyond the inactivity horizon, out of the pyramid) is not
//! *lapsed*, the migration matrix's word for a move from an active level
//! to Inactive.
//!
//! [`Cuts::value_percent`] is the **ABC analysis by share of value**: A is
//! the smallest set of top customers holding the first cut of the value
//! (say 80%), B the next, C the rest. It is not the A/B/C of mutual benefit
//! (how valuable the relationship is for both sides), which needs a
//! judgement the data does not hold. [`Cuts::Bands`] are fixed value bands.
//!
//! # Crate features
//!
//! - `serde`: `Serialize` for the reports, money as decimal strings.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
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
    pyramid::{Assignment, Figures, Pyramid, cut_points, pyramid, pyramid_with_previous},
    report::{Change, LevelReport, PyramidReport},
};
