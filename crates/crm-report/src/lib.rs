//! The customer report: everything the toolkit knows about a period on one
//! self-contained HTML page that a marketing team can read and forward, in
//! English or Dutch.
//!
//! Most users want the `crm report` command or the `crm` facade crate
//! (`crm::report`). The report is built in two steps: [`Report::build`]
//! runs every analysis the data allows on one [`crm_core::Ledger`] (filled
//! in one pass over the data) and keeps the results as plain data;
//! [`Report::to_html`] renders them.
//!
//! ```
//! use crm_core::{Ledger, NaiveDate, Period};
//! use crm_report::{Availability, Inputs, Lang, Report, ReportOptions, Section};
//!
//! let options = ReportOptions::new("2025".parse::<Period>()?);
//! let mut ledger = Ledger::with_options(options.tracked_periods()?, options.ledger_options());
//! let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
//! ledger.record_sale("A", d(2024, 3), "900".parse()?, None)?;
//! ledger.record_sale("A", d(2025, 3), "1000".parse()?, None)?;
//! ledger.record_sale("B", d(2025, 5), "50".parse()?, None)?;
//! let report = Report::build(&ledger, &options, Inputs::default())?;
//! assert_eq!(report.availability(Section::Migration), Availability::Present);
//! assert_eq!(report.availability(Section::Wallet), Availability::Missing);
//! let page = report.to_html(Lang::Nl);
//! assert!(page.starts_with("<!DOCTYPE html>") && page.contains("Klantenrapport 2025"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! - [`ReportOptions`]: the period, the comparison, the periods of the
//!   projection, the levels; [`ReportOptions::tracked_periods`] says what
//!   the ledger must track.
//! - [`Report`]: the results per [`Section`], each present or not
//!   ([`Availability`]); [`Inputs`] carries what the ledger does not keep
//!   (interaction costs, potentials).
//! - [`Report::to_html`] in a [`Lang`]uage; [`Texts`] holds every string
//!   of one language: the page's, the `crm` command's terminal tables'
//!   ([`PyramidTableTexts`], [`MigrationTableTexts`], [`MarkovTableTexts`],
//!   [`ValueTableTexts`], [`ClvTableTexts`], [`CustomerTableTexts`], [`FunnelTableTexts`],
//!   [`ActionsTexts`], [`WinbackTableTexts`]) and
//!   the names of strategies, owners, channels, stages and interaction
//!   kinds ([`Lang::strategy`], [`Lang::owner`], [`Lang::channel`],
//!   [`Lang::stage`], [`Lang::kind`]).
//!
//! # The page
//!
//! Key figures first, then one section per analysis, each with a one-line
//! reading of what it shows, a chart (drawn with `crm-chart`: accessible,
//! colour-blind-safe, deterministic) and its figures in a table. A section
//! whose input is missing says which input would add it: share of wallet
//! needs a register with potentials, the whale curve margins, the
//! projection several periods.
//!
//! The operational measures follow (from `crm-ops`), each when its data is
//! there:
//!
//! - **From lead to order**, with the leads ([`Inputs::leads`]): the
//!   leads created in the period that reached each stage (bars with the
//!   conversion from the stage before), won, lost, open, and the pipeline.
//! - **Complaints**, when the interactions hold complaints in the period
//!   or the one before: received, resolved within the service level
//!   ([`ReportOptions::sla_days`]) and still open at the end; and, with the
//!   previous period right before this one, the share of its customers
//!   without a complaint, with every complaint resolved and with one left
//!   open who bought again in this period (with 95% intervals).
//! - **Campaign**, with a [`crm_ops::CampaignMeasure`] fed with
//!   the campaign's sends, its control group and the sales
//!   ([`Inputs::campaign`]): the response rate of the treated customers
//!   and of the control group with their 95% intervals, and the uplift
//!   with its interval. The movement is read between the previous
//!   period's pyramid and this one's.
//! - **Scorecard**, always: every figure of `crm_ops::scorecard` the
//!   inputs allow, the shares charted beside the method's benchmark and,
//!   with a plan ([`Inputs::plan`]), its target; a figure without its
//!   input says which input would give it.
//!
//! - **Actions by strategy and owner**, always: every customer of the
//!   period decided under a rulebook ([`Inputs::rulebook`], the default
//!   rulebook without one) as `crm actions` decides them, from the same
//!   facts (the pyramids of the [`ReportOptions::history`] periods before
//!   it, the register of [`Inputs::register`], the profit, the leads), and
//!   counted per strategy and per owner ([`Actions`]).
//!
//! The page needs no network, fonts or JavaScript (a few lines of script
//! only sort the tables), prints well, and is the same bytes for the same
//! data.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

mod charts;
mod error;
mod html;
mod lang;
mod report;
mod tables;

pub use crate::{
    error::{Error, Result},
    lang::{
        ActionsTexts, CampaignTableTexts, ComplaintsTableTexts, EN, FunnelTableTexts, Lang,
        MigrationTableTexts, NL, OpsTexts, PyramidTableTexts, ScorecardTableTexts, SectionTexts,
        Texts, WinbackTableTexts, period_label,
    },
    report::{
        Actions, Availability, FIT_SAMPLE, HoldoutCheck, Inputs, Lifetime, Projection, Report,
        ReportOptions, Section,
    },
    tables::{ClvTableTexts, CustomerTableTexts, MarkovTableTexts, ValueTableTexts},
};
