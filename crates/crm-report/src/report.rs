//! The report as data: what every section shows, assembled from the
//! library's results on one ledger.

use std::collections::HashMap;

use crm_clv::checks::{FrequencyCheck, TrackingPoint, holdout_by_frequency, tracking};
use crm_clv::{BgNbd, FitOptions, Holdout, PurchaseModel, TimeUnit, Timeline, from_ledger};
use crm_core::{Basis, Customer, Days, Lead, Ledger, LedgerOptions, Money, NaiveDate, Period};
use crm_migration::{Migration, STATE_COUNT as N, series};
use crm_ops::{CampaignMeasure, CampaignResult};
use crm_ops::{ComplaintOptions, ComplaintReport, complaints};
use crm_ops::{Funnel, FunnelOptions, funnel};
use crm_ops::{Scorecard, ScorecardInputs, ScorecardPlan, scorecard};
use crm_pyramid::{Level, Pyramid, PyramidOptions, PyramidReport, pyramid};
use crm_strategy::{FactsBuilder, PlanSummary, Rulebook, overview};
use crm_value::{
    CostTable, CostToServe, Profitability, RfmGrid, RfmOptions, Wallet, profitability_with_ids,
    rfm_grid, rfm_period,
};

use crate::{Error, Result};

/// The sections of the report, in page order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Section {
    /// The customer pyramid, this period beside the previous one.
    Pyramid,
    /// The migration matrix as a heatmap.
    Migration,
    /// The value bridge as a waterfall.
    Bridge,
    /// The Markov projection as stacked bars.
    Projection,
    /// The whale curve.
    Whale,
    /// The pyramid cut on profit.
    ProfitPyramid,
    /// RFM's R × F grid with segment names.
    Rfm,
    /// Share of wallet: growth room per level.
    Wallet,
    /// Lifetime value: P(alive) and expected value per customer.
    Lifetime,
    /// The lifetime-value model against the purchases after a calibration
    /// end.
    Holdout,
    /// Actions by strategy and owner: what a rulebook proposes for the
    /// period's customers, counted.
    Actions,
    /// From lead to order: the leads created in the period per stage.
    Funnel,
    /// Complaint handling in the period and the retention of complainers.
    Complaints,
    /// A campaign's treated customers against its control group.
    Campaign,
    /// The figures the method steers by, beside its benchmarks and a
    /// plan's targets.
    Scorecard,
}

impl Section {
    /// Every section, in page order.
    pub const ALL: [Section; 15] = [
        Section::Pyramid,
        Section::Migration,
        Section::Bridge,
        Section::Projection,
        Section::Whale,
        Section::ProfitPyramid,
        Section::Rfm,
        Section::Wallet,
        Section::Lifetime,
        Section::Holdout,
        Section::Actions,
        Section::Funnel,
        Section::Complaints,
        Section::Campaign,
        Section::Scorecard,
    ];

    /// The anchor of the section in the page (`pyramid`, `whale-curve`).
    pub const fn id(self) -> &'static str {
        match self {
            Section::Pyramid => "pyramid",
            Section::Migration => "migration",
            Section::Bridge => "value-bridge",
            Section::Projection => "projection",
            Section::Whale => "whale-curve",
            Section::ProfitPyramid => "profit-pyramid",
            Section::Rfm => "rfm",
            Section::Wallet => "share-of-wallet",
            Section::Lifetime => "lifetime-value",
            Section::Holdout => "model-check",
            Section::Actions => "actions",
            Section::Funnel => "funnel",
            Section::Complaints => "complaints",
            Section::Campaign => "campaign",
            Section::Scorecard => "scorecard",
        }
    }

    /// The position in [`Section::ALL`].
    pub fn index(self) -> usize {
        Section::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Whether a section has its data.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Availability {
    /// The section is drawn.
    Present,
    /// An input is missing; the page says which.
    Missing,
    /// The analysis ran and failed (a model that cannot be fitted); the
    /// page says why.
    Failed(String),
}

/// What the report covers and how: the period, the comparison, the
/// periods of the projection, the pyramid's options.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ReportOptions {
    /// The period of the report.
    pub period: Period,
    /// The period to compare with. Default: the previous calendar unit
    /// (2024 for 2025; see `Period::previous_calendar`).
    pub previous: Option<Period>,
    /// Consecutive periods for the Markov projection (at least two, or
    /// none for no projection). Default none.
    pub series: Vec<Period>,
    /// Levels: basis, cuts, inactivity horizon. Default Curry's.
    pub pyramid: PyramidOptions,
    /// Periods to project ahead. Default 3.
    pub project: usize,
    /// Discount rate per period for the Markov lifetime value. Default 0.1.
    pub discount: f64,
    /// Last day of the lifetime-value model's calibration (inclusive):
    /// with it the model is checked against the purchases after it, up to
    /// the period's end. Default none.
    pub calibration_end: Option<NaiveDate>,
    /// The service level of the complaints section, in days: a complaint
    /// resolved at most this many days after it was received is within
    /// it. Default 14.
    pub sla_days: u32,
    /// Earlier periods right before the period (see
    /// [`ReportOptions::history_periods`]) whose pyramids give the actions
    /// their history (previous level, best former level, periods at a
    /// level), as `crm actions --history`. Default 2.
    pub history: usize,
}

impl ReportOptions {
    /// The report of `period` against the previous calendar unit, with the
    /// other defaults.
    pub fn new(period: Period) -> ReportOptions {
        ReportOptions {
            period,
            previous: period.previous_calendar(),
            series: Vec::new(),
            pyramid: PyramidOptions::new(),
            project: 3,
            discount: 0.1,
            calibration_end: None,
            sla_days: 14,
            history: 2,
        }
    }

    /// The periods the ledger must track, so that one pass over the data
    /// feeds every section: the period, everything before the period's end
    /// (RFM, lifetime value), the previous period, the series, and the
    /// [`ReportOptions::history`] periods of the actions.
    ///
    /// The order is the ledger's: its first two periods live in each
    /// customer's record, the others beside it. A sale touches every
    /// period that ends after it (those that start later keep its date as
    /// the last purchase before them), so the two that every sale touches
    /// come first, and a sale older than the previous period touches the
    /// others only.
    ///
    /// # Errors
    ///
    /// [`Error::Options`] for a period ending in year 1.
    pub fn tracked_periods(&self) -> Result<Vec<Period>> {
        let mut out = vec![self.period];
        out.push(rfm_period(self.period.end()).map_err(|e| Error::Options(e.to_string()))?);
        out.extend(self.previous);
        out.extend(self.series.iter().copied());
        out.extend(self.history_periods());
        let mut seen = Vec::new();
        out.retain(|p| {
            let new = !seen.contains(p);
            seen.push(*p);
            new
        });
        Ok(out)
    }

    /// The periods of the actions' history: up to [`ReportOptions::history`]
    /// periods, each right before the next, the latest first: the previous
    /// calendar years, quarters or months of a calendar unit, else periods
    /// of equal length ([`Period::previous_calendar`]; fewer when the
    /// calendar runs out).
    pub fn history_periods(&self) -> Vec<Period> {
        let mut out: Vec<Period> = Vec::new();
        let mut at = self.period;
        while out.len() < self.history {
            match at.previous_calendar() {
                Some(p) => {
                    out.push(p);
                    at = p;
                }
                None => break,
            }
        }
        out
    }

    /// The ledger's options: purchase days on (RFM and lifetime value need
    /// them).
    pub fn ledger_options(&self) -> LedgerOptions {
        LedgerOptions::new().purchase_days(true)
    }

    /// The cost to serve of the report's period, to feed with the
    /// period's interactions ([`CostToServe::add`]) and hand over in
    /// [`Inputs::cost_to_serve`]: each interaction at its recorded cost
    /// (no cost table, no handling per order).
    ///
    /// # Errors
    ///
    /// None in practice: the table has no negative cost.
    pub fn cost_to_serve(&self) -> Result<CostToServe> {
        let mut costs = CostTable::default();
        costs.use_recorded_cost = true;
        Ok(CostToServe::new(self.period, &costs)?)
    }
}

/// What the report needs besides the ledger: what the ledger does not
/// keep, gathered per customer in the same pass over the data, and the
/// inputs of the operational sections.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Inputs {
    /// The cost to serve in the period: the interactions' recorded costs
    /// per customer ([`ReportOptions::cost_to_serve`], fed with the
    /// interactions). Default none: no interaction costs.
    pub cost_to_serve: Option<CostToServe>,
    /// Yearly potential per customer key from the register; `None` when
    /// there is no register with potentials.
    pub potentials: Option<HashMap<String, Money>>,
    /// The leads, when leads were given: the funnel of the period (an
    /// empty list gives no funnel).
    pub leads: Option<Vec<Lead>>,
    /// A plan's targets, shown beside the scorecard's figures.
    pub plan: Option<ScorecardPlan>,
    /// A campaign measurement fed with the campaign's sends, its control
    /// group and the sales ([`CampaignMeasure`]); the report finishes it
    /// with the movement from the previous period's pyramid to this one's.
    pub campaign: Option<CampaignMeasure>,
    /// The register (stage, segment, potential, consent, the attributes
    /// the rulebook reads), for the actions' facts. Default none: those
    /// facts are unknown. Without [`Inputs::potentials`] the potentials
    /// are read from it.
    pub register: Option<Vec<Customer>>,
    /// The rulebook of the actions section. Default none: the default
    /// rulebook ([`Rulebook::curry`]).
    pub rulebook: Option<Rulebook>,
}

/// The actions a rulebook proposes for the period's customers, counted
/// per strategy and per owner, as `crm actions` counts them.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Actions {
    /// The rulebook's name.
    pub rulebook: String,
    /// Every action (a customer has at most one under the policy
    /// `best-priority`, more under `all-matches`).
    pub actions: u64,
    /// The counts: customers evaluated, actions per strategy (by their
    /// `crm-strategy` names) and per owner, actions without a channel.
    pub summary: PlanSummary,
}

/// The Markov projection over several periods.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Projection {
    /// The observed periods.
    pub periods: Vec<Period>,
    /// Customers per state (Top, Big, Medium, Small, Inactive) in each.
    pub counts: Vec<[u64; N]>,
    /// The expected customers per state in each of the next periods.
    pub projected: Vec<[f64; N]>,
    /// Lifetime value per starting state, when the chain allows it.
    pub lifetime_values: Option<[f64; N]>,
    /// Expected periods until inactive per active state, when defined.
    pub periods_until_inactive: Option<[f64; 4]>,
    /// The basis of the lifetime values.
    pub value_basis: Basis,
}

/// Lifetime value per customer from a BG/NBD model fitted on the purchase
/// days up to the period's end.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Lifetime {
    /// The model's name.
    pub model: &'static str,
    /// The L2 penalty of the fit: 0, or 0.01 when the plain maximum
    /// likelihood found no maximum.
    pub penalizer: f64,
    /// The customers the model was fitted on: every customer with a
    /// purchase, or beyond [`FIT_SAMPLE`] a deterministic sample of about
    /// that many (chosen by a hash of the key).
    pub fitted_on: u64,
    /// P(alive) at the period's end, per customer (key order).
    pub p_alive: Vec<f64>,
    /// Expected value in the next 12 months per customer: the expected
    /// purchase days times the customer's mean value per purchase day so
    /// far.
    pub value: Vec<f64>,
}

/// The lifetime-value model checked against the purchases after a
/// calibration end.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct HoldoutCheck {
    /// The last day of calibration.
    pub calibration_end: NaiveDate,
    /// Mean purchases after it by calibration frequency.
    pub rows: Vec<FrequencyCheck>,
    /// Cumulative repeat purchases, actual and predicted, week by week
    /// from the first purchase to the period's end.
    pub tracking: Vec<TrackingPoint>,
}

/// Everything the page shows, as data: each analysis's result, or `None`
/// when its input is missing.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Report {
    /// The period.
    pub period: Period,
    /// The period compared with, when the data covers it.
    pub previous: Option<Period>,
    /// The value basis.
    pub basis: Basis,
    /// Customers and prospects known to the ledger.
    pub customers: u64,
    /// Transactions read.
    pub transactions: u64,
    /// The pyramid report (with the previous period when there is one).
    pub pyramid: PyramidReport,
    /// The migration from the previous period to this one.
    pub migration: Option<Migration>,
    /// The Markov projection.
    pub projection: Option<Projection>,
    /// Profit per customer, the whale curve, the profit pyramid; `None`
    /// without margins.
    pub profit: Option<Profitability>,
    /// RFM's R × F grid as of the period's end (counts per cell and per
    /// segment: the report keeps no row per customer).
    pub rfm: Option<RfmGrid>,
    /// Share of wallet; `None` without potentials.
    pub wallet: Option<Wallet>,
    /// Lifetime value, or why the model could not be fitted.
    pub lifetime: std::result::Result<Lifetime, String>,
    /// The model check; `None` without a calibration end.
    pub holdout: Option<std::result::Result<HoldoutCheck, String>>,
    /// The actions per strategy and owner; `None` when the period has no
    /// customer to decide on.
    pub actions: Option<Actions>,
    /// From lead to order in the period; `None` without leads.
    pub funnel: Option<Funnel>,
    /// Complaint handling in the period (complaints received, resolved,
    /// open, days to resolve, by level); `None` when neither this period
    /// nor the previous one has a complaint.
    pub complaints: Option<ComplaintReport>,
    /// The previous period's complaints with the retention of its
    /// complainers in this period (resolved against unresolved); `None`
    /// without a previous period right before this one or without
    /// complaints in it.
    pub complaint_retention: Option<ComplaintReport>,
    /// The campaign measured; `None` without one.
    pub campaign: Option<CampaignResult>,
    /// The scorecard of the period, with the plan's targets when a plan
    /// was given.
    pub scorecard: Scorecard,
    /// Whether a plan was given.
    pub with_plan: bool,
}

fn clv_err(e: crm_clv::Error) -> String {
    e.to_string()
}

impl Report {
    /// Builds every section the data allows from `ledger`, which must
    /// track [`ReportOptions::tracked_periods`] with purchase days on.
    ///
    /// # Errors
    ///
    /// [`Error::NoPurchaseDays`] when the ledger keeps no purchase days
    /// (make it with [`ReportOptions::ledger_options`]);
    /// [`Error::Options`] when it does not track the periods; the
    /// analyses' errors (overflow, invalid cuts).
    /// A lifetime-value model that cannot be fitted is not an error: the
    /// section says why.
    pub fn build(ledger: &Ledger, options: &ReportOptions, inputs: Inputs) -> Result<Report> {
        if !ledger.options().purchase_days {
            return Err(Error::NoPurchaseDays);
        }
        for p in options.tracked_periods()? {
            ledger.period_index(&p).map_err(|_| {
                Error::Options(format!(
                    "the ledger does not track {p}, one of the periods the report \
                         needs: make it with ReportOptions::tracked_periods"
                ))
            })?;
        }
        let period = options.period;
        let last_day = period.end().pred_opt().unwrap_or(period.end());
        // The model fits take most of the time: they run beside the other
        // sections, each on its own thread.
        std::thread::scope(|scope| {
            let lifetime = scope.spawn(move || lifetime(ledger, last_day, options.pyramid.basis));
            let holdout = options
                .calibration_end
                .map(|cal| scope.spawn(move || holdout(ledger, cal, last_day)));
            let rest = Report::build_rest(ledger, options, inputs);
            let lifetime = lifetime
                .join()
                .unwrap_or_else(|_| Err("the lifetime-value model failed".into()));
            let holdout = holdout.map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("the model check failed".into()))
            });
            rest.map(|r| Report {
                lifetime,
                holdout,
                ..r
            })
        })
    }

    /// Every section but the lifetime-value model and its check.
    fn build_rest(ledger: &Ledger, options: &ReportOptions, mut inputs: Inputs) -> Result<Report> {
        let period = options.period;
        let stats = ledger.stats();
        // The previous period only when the data reaches into it.
        let previous = options
            .previous
            .filter(|p| stats.transactions > 0 && covers(ledger, p));
        // The actions' history pyramids that are not the previous period's
        // (which they share); none when this period has no customer, as the
        // actions then decide on no one.
        let history: Vec<Period> = options
            .history_periods()
            .into_iter()
            .filter(|p| previous != Some(*p))
            .collect();
        let has_margin = stats.transactions > stats.transactions_without_margin;
        let served = if has_margin {
            let served = match inputs.cost_to_serve.take() {
                Some(s) => Ok(s),
                None => options.cost_to_serve(),
            };
            Some(served.and_then(|served| {
                if *served.period() == period {
                    Ok(served)
                } else {
                    Err(Error::Options(format!(
                        "the cost to serve is of {}, the report of {period}",
                        served.period()
                    )))
                }
            }))
        } else {
            None
        };
        // The pyramids and profitability read the ledger only: each on a
        // thread of its own (with the lifetime-value model's beside them,
        // both cores stay busy). Errors are returned in the order the
        // sections come in.
        let (now, before, built, profit) = std::thread::scope(|scope| {
            let opts = &options.pyramid;
            let before = previous.map(|p| scope.spawn(move || pyramid(ledger, &p, opts)));
            let history = &history;
            let built = scope.spawn(move || {
                history
                    .iter()
                    .map(|p| pyramid(ledger, p, opts))
                    .collect::<std::result::Result<Vec<_>, _>>()
            });
            let profit = match served {
                Some(Ok(s)) => Some(Ok(scope.spawn(move || {
                    profitability_with_ids(ledger, &s, &crm_pyramid::Cuts::curry())
                }))),
                Some(Err(e)) => Some(Err(e)),
                None => None,
            };
            let now = pyramid(ledger, &period, opts);
            let before = before.map(joined).transpose();
            let built = joined(built);
            let profit = profit.map(|p| p.map(joined));
            (now, before, built, profit)
        });
        let now = now?;
        let before = before?;
        let report = PyramidReport::new(&now, before.as_ref());
        let migration = match &before {
            Some(b) => Some(Migration::between(ledger, b, &now)?),
            None => None,
        };
        let projection = if options.series.len() >= 2 {
            let s = series(ledger, &options.series, &options.pyramid)?;
            let last = s.counts.last().copied().unwrap_or([0; N]);
            let start = last.map(|c| c as f64);
            Some(Projection {
                periods: s.periods.clone(),
                counts: s.counts.clone(),
                projected: s.markov.project(start, options.project),
                lifetime_values: s.lifetime_values(options.discount),
                periods_until_inactive: s.markov.periods_until_inactive(),
                value_basis: s.value_basis,
            })
        } else {
            None
        };
        // Each customer's profit by id too, for the actions' facts.
        let (profit, profit_by_id) = match profit {
            Some(p) => {
                let (p, by_id) = p??;
                (Some(p), Some(by_id))
            }
            None => (None, None),
        };
        // A history pyramid's failure matters only when the actions read
        // it, that is, when this period has customers.
        let built = match built {
            Ok(b) => b,
            Err(_) if now.is_empty() => Vec::new(),
            Err(e) => return Err(e.into()),
        };
        // Share of wallet before the actions, whose facts read it when its
        // potentials are the register's (computed once, not twice).
        let book = inputs.rulebook.take();
        let register = inputs.register.take();
        // Each register entry's id, looked up once for the share of wallet
        // and the actions' facts.
        let register_ids: Option<Vec<Option<crm_core::CustomerId>>> = register
            .as_deref()
            .map(|r| r.iter().map(|c| ledger.id(c.key.as_str())).collect());
        let leads = inputs.leads.take();
        let wallet = share_of_wallet(
            ledger,
            &now,
            inputs.potentials.take(),
            register.as_deref().zip(register_ids.as_deref()),
        )?;
        let register_wallet = wallet
            .as_ref()
            .filter(|w| w.from_register)
            .map(|w| &w.wallet);
        // The actions on a thread of their own, beside RFM and the
        // operational sections.
        let (actions, rest) = std::thread::scope(|scope| {
            let actions = scope.spawn(|| {
                actions(
                    ledger,
                    options,
                    &built,
                    book,
                    register.as_deref().zip(register_ids),
                    leads.as_deref(),
                    &now,
                    before.as_ref(),
                    profit_by_id,
                    register_wallet,
                )
            });
            let rest = Report::build_more(
                ledger,
                options,
                inputs,
                leads.as_deref(),
                &now,
                before.as_ref(),
                profit.as_ref(),
                wallet.as_ref().map(|w| &w.wallet),
            );
            let actions = joined(actions);
            (actions, rest)
        });
        let (rfm, ops) = rest?;
        let actions = actions?;
        Ok(Report {
            period,
            previous: before.as_ref().map(|b| *b.period()),
            basis: options.pyramid.basis,
            customers: ledger.len() as u64,
            transactions: stats.transactions,
            pyramid: report,
            migration,
            projection,
            profit,
            rfm,
            wallet: wallet.map(|w| w.wallet),
            lifetime: Err(String::new()),
            holdout: None,
            actions,
            funnel: ops.funnel,
            complaints: ops.complaints,
            complaint_retention: ops.complaint_retention,
            campaign: ops.campaign,
            scorecard: ops.scorecard,
            with_plan: ops.with_plan,
        })
    }

    /// RFM and the operational sections.
    #[allow(clippy::too_many_arguments)] // the analyses they read
    fn build_more(
        ledger: &Ledger,
        options: &ReportOptions,
        inputs: Inputs,
        leads: Option<&[Lead]>,
        now: &Pyramid,
        before: Option<&Pyramid>,
        profit: Option<&Profitability>,
        wallet: Option<&Wallet>,
    ) -> Result<(Option<RfmGrid>, Operations)> {
        let period = options.period;
        let rfm = rfm_grid(
            ledger,
            period.end(),
            &RfmOptions::new().basis(options.pyramid.basis),
        )?;
        let rfm = (rfm.customers > 0).then_some(rfm);
        let ops = Operations::build(
            ledger,
            options,
            Inputs {
                cost_to_serve: None,
                potentials: None,
                register: None,
                rulebook: None,
                leads: None,
                ..inputs
            },
            leads,
            now,
            before,
            profit,
            wallet,
        )?;
        Ok((rfm, ops))
    }

    /// Whether `section` has its data.
    pub fn availability(&self, section: Section) -> Availability {
        let present = |yes: bool| {
            if yes {
                Availability::Present
            } else {
                Availability::Missing
            }
        };
        match section {
            Section::Pyramid => present(true),
            Section::Migration | Section::Bridge => present(self.migration.is_some()),
            Section::Projection => present(self.projection.is_some()),
            Section::Whale => present(self.profit.as_ref().is_some_and(|p| p.whale.is_some())),
            Section::ProfitPyramid => present(self.profit.is_some()),
            Section::Rfm => present(self.rfm.is_some()),
            Section::Wallet => present(self.wallet.is_some()),
            Section::Lifetime => match &self.lifetime {
                Ok(_) => Availability::Present,
                Err(e) => Availability::Failed(e.clone()),
            },
            Section::Holdout => match &self.holdout {
                None => Availability::Missing,
                Some(Ok(_)) => Availability::Present,
                Some(Err(e)) => Availability::Failed(e.clone()),
            },
            Section::Funnel => present(self.funnel.is_some()),
            Section::Complaints => present(self.complaints.is_some()),
            Section::Campaign => present(self.campaign.is_some()),
            Section::Scorecard => present(true),
            Section::Actions => present(self.actions.is_some()),
        }
    }
}

/// The result of a scoped thread; its panic goes on in the caller.
fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
    handle
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

/// A share of wallet, and whether its potentials are the register's as
/// the actions' facts read them (each key's last entry), so that the facts
/// can take it instead of computing it again.
struct WalletOf {
    wallet: Wallet,
    from_register: bool,
}

/// Share of wallet of `now`'s active customers: with the potentials given
/// by key, else with the register's (by id, a later entry's potential
/// replacing an earlier one's; an entry without one keeps the earlier
/// potential, where the facts would have none); `None` without
/// potentials.
fn share_of_wallet(
    ledger: &Ledger,
    now: &Pyramid,
    potentials: Option<HashMap<String, Money>>,
    register: Option<(&[Customer], &[Option<crm_core::CustomerId>])>,
) -> Result<Option<WalletOf>> {
    Ok(match (potentials, register) {
        (Some(map), _) => Some(WalletOf {
            wallet: crm_value::share_of_wallet(ledger, now, |k| map.get(k).copied())?,
            from_register: false,
        }),
        (None, Some((register, ids))) if register.iter().any(|c| c.potential.is_some()) => {
            let mut by_id: Vec<Option<Money>> = vec![None; ledger.len()];
            // Where the facts, which take a key's last entry whole, would
            // find no potential: an entry without one after one with one.
            let mut differs = vec![false; ledger.len()];
            for (c, id) in register.iter().zip(ids) {
                let Some(i) = id.map(|id| id.index()) else {
                    continue;
                };
                match (c.potential, by_id.get_mut(i), differs.get_mut(i)) {
                    (Some(p), Some(slot), Some(d)) => {
                        *slot = Some(p);
                        *d = false;
                    }
                    (None, Some(slot), Some(d)) => *d = slot.is_some(),
                    _ => {}
                }
            }
            Some(WalletOf {
                wallet: crm_value::share_of_wallet_by_id(
                    ledger,
                    now,
                    |id| by_id.get(id.index()).copied().flatten(),
                    &crm_value::WalletOptions::new(),
                )?,
                from_register: !differs.contains(&true),
            })
        }
        _ => None,
    })
}

/// The actions section: every customer of `now` decided under the
/// rulebook as `crm actions` decides them (the facts from the same
/// analyses: the history pyramids, the register, the profit, the leads),
/// counted without building the actions.
#[allow(clippy::too_many_arguments)] // the facts' inputs
fn actions(
    ledger: &Ledger,
    options: &ReportOptions,
    built: &[Pyramid],
    book: Option<Rulebook>,
    register: Option<(&[Customer], Vec<Option<crm_core::CustomerId>>)>,
    leads: Option<&[Lead]>,
    now: &Pyramid,
    before: Option<&Pyramid>,
    profit_by_id: Option<Vec<Option<Money>>>,
    wallet: Option<&Wallet>,
) -> Result<Option<Actions>> {
    if now.is_empty() {
        return Ok(None);
    }
    let book = book.unwrap_or_else(Rulebook::curry);
    // The history's pyramids: the previous period's, when it is one of
    // them, and the others, built beside this period's (`built`).
    let periods = options.history_periods();
    let shared = before.filter(|b| periods.contains(b.period()));
    // The report's ledger keeps purchase days; `crm actions` keeps them
    // only for a rulebook that reads a fact built on them, and so do the
    // facts here (filling them for every customer costs time otherwise).
    let days = book.reads_purchase_days();
    let mut builder = FactsBuilder::new(ledger, now)
        .history(shared.into_iter().chain(built))
        .register(register.as_ref().map_or(&[][..], |r| r.0))
        .attributes(book.attributes())
        .purchase_days(days);
    if let Some((_, ids)) = register {
        builder = builder.register_ids(ids);
    }
    if let Some(by_id) = profit_by_id {
        builder = builder.profits(*now.period(), by_id);
    }
    if let Some(w) = wallet {
        builder = builder.share_of_wallet(w);
    }
    if let Some(leads) = leads {
        builder = builder.leads(leads);
    }
    let table = builder
        .build()
        .map_err(|e| Error::Options(format!("cannot assemble the actions' facts: {e}")))?;
    let top = overview(&table, &book, 0, |_, _| true);
    if top.plan.summary.customers == 0 {
        return Ok(None);
    }
    let out = Actions {
        rulebook: book.name().to_string(),
        actions: top.actions,
        summary: top.plan.summary,
    };
    Ok(Some(out))
}

/// The operational sections: funnel, complaints, campaign, scorecard.
struct Operations {
    funnel: Option<Funnel>,
    complaints: Option<ComplaintReport>,
    complaint_retention: Option<ComplaintReport>,
    campaign: Option<CampaignResult>,
    scorecard: Scorecard,
    with_plan: bool,
}

impl Operations {
    #[allow(clippy::too_many_arguments)] // the analyses the scorecard reads
    fn build(
        ledger: &Ledger,
        options: &ReportOptions,
        inputs: Inputs,
        leads: Option<&[Lead]>,
        now: &Pyramid,
        before: Option<&Pyramid>,
        profit: Option<&Profitability>,
        wallet: Option<&Wallet>,
    ) -> Result<Operations> {
        let period = options.period;
        let ops = |e: crm_ops::Error| Error::Options(e.to_string());
        // The funnel, with the quality of acquisition read from the
        // previous period's pyramid and this one's.
        let funnel = match leads {
            Some(leads) if !leads.is_empty() => {
                let pyramids: Vec<Pyramid> = before.into_iter().chain([now]).cloned().collect();
                Some(
                    funnel(leads, ledger, &pyramids, &period, &FunnelOptions::new())
                        .map_err(ops)?,
                )
            }
            _ => None,
        };
        // Complaints received in this period; and those of the previous
        // period, right before it, with its complainers' retention now.
        // Without a single interaction there is no complaint to look for.
        let (complaints_now, retention) = if ledger.stats().interactions > 0 {
            let copts = ComplaintOptions::new().sla_days(options.sla_days);
            let this = complaints(ledger, now, None, &copts).map_err(ops)?;
            let adjacent = before.filter(|b| b.period().end() == period.start());
            let retention = match adjacent {
                Some(b) => Some(complaints(ledger, b, Some(now), &copts).map_err(ops)?),
                None => None,
            }
            .filter(|r| r.received > 0);
            let any = this.received > 0
                || this.resolved > 0
                || this.open_at_end > 0
                || retention.is_some();
            (any.then_some(this), retention)
        } else {
            (None, None)
        };
        let campaign = match inputs.campaign {
            Some(m) => Some(m.finish(ledger, before, Some(now)).map_err(ops)?),
            None => None,
        };
        let old = five_years_before(&period).filter(|p| ledger.period_index(p).is_ok());
        let old = match old {
            Some(p) => Some(pyramid(ledger, &p, &options.pyramid)?),
            None => None,
        };
        let mut si = ScorecardInputs::new(now);
        si.previous = before.filter(|b| b.active() > 0);
        si.five_years_before = old.as_ref();
        si.profitability = profit;
        si.wallet = wallet;
        si.complaints = retention.as_ref();
        si.campaign_response = campaign.as_ref().and_then(|c| c.treated.response_rate);
        let card = scorecard(ledger, &si, inputs.plan.as_ref()).map_err(ops)?;
        Ok(Operations {
            funnel,
            complaints: complaints_now,
            complaint_retention: retention,
            campaign,
            scorecard: card,
            with_plan: inputs.plan.is_some(),
        })
    }
}

/// The same calendar span five years earlier, when every date has one.
fn five_years_before(p: &Period) -> Option<Period> {
    use crm_core::Datelike;
    let back = |d: NaiveDate| d.with_year(d.year().checked_sub(5)?);
    Period::new(back(p.start())?, back(p.end())?).ok()
}

/// Whether the ledger has a transaction dated before `p`'s end, that is,
/// whether a pyramid of `p` says anything.
fn covers(ledger: &Ledger, p: &Period) -> bool {
    ledger.ids().any(|id| {
        ledger
            .totals(id)
            .is_ok_and(|t| t.first_transaction().is_some_and(|d| d < p.end()))
    })
}

/// The most customers the report fits its lifetime-value model on: with
/// more, the model is fitted on a deterministic sample of about this many
/// (a customer is in it when a hash of its key falls in the sampled
/// share), which estimates the four parameters as well to a few
/// thousandths and takes a tenth of the time on a million customers.
/// P(alive) and the expected value are still given for every customer.
pub const FIT_SAMPLE: usize = 100_000;

/// The most distinct (frequency, age) pairs whose expected purchases if
/// alive the report keeps for the customers that share them (per thread).
const MEMO_LIMIT: usize = 1 << 18;

/// The threads the lifetime values of every customer are predicted on.
const PREDICTION_THREADS: usize = 2;

/// The fewest customers worth a thread of their own in the predictions.
const PREDICTION_MIN: usize = 50_000;

/// FNV-1a of `key`: a hash that is the same on every platform and run.
fn stable_hash(key: &str) -> u64 {
    key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The customers with a purchase by `end` (a day number from the common
/// era), in key order.
fn buyers_by_key(ledger: &Ledger, end: i32) -> Vec<crm_core::CustomerId> {
    // Key order, sorting by the keys' first eight bytes and comparing
    // whole keys only on a tie: keys of up to eight bytes (`C0000001`)
    // never touch the strings again. Ids of this ledger: the lookups
    // cannot fail.
    let key = |id: crm_core::CustomerId| ledger.key(id).unwrap_or("");
    let mut keyed: Vec<(u64, crm_core::CustomerId)> = ledger
        .ids()
        .filter(|id| {
            ledger
                .purchase_day_numbers(*id)
                .unwrap_or(&[])
                .first()
                .is_some_and(|d| *d <= end)
        })
        .map(|id| (key_prefix(key(id)), id))
        .collect();
    keyed.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key(a.1).cmp(key(b.1))));
    keyed.into_iter().map(|(_, id)| id).collect()
}

/// The summary of `id` in `unit`s up to `end` (a day number from the
/// common era): as `crm_clv::from_ledger`'s, without the key string.
fn summary_of(
    ledger: &Ledger,
    id: crm_core::CustomerId,
    end: i32,
    unit: TimeUnit,
) -> crm_clv::Summary {
    let days = ledger.purchase_day_numbers(id).unwrap_or(&[]);
    let days = &days[..days.partition_point(|&d| d <= end)];
    let (first, last) = match (days.first(), days.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => (end, end),
    };
    crm_clv::Summary::new(
        u32::try_from(days.len().saturating_sub(1)).unwrap_or(u32::MAX),
        unit.from_days(f64::from(last - first)),
        unit.from_days(f64::from(end - first)),
    )
}

/// The first eight bytes of `key` as a big-endian number, zero-padded:
/// when two keys' prefixes differ, they order as the keys do.
fn key_prefix(key: &str) -> u64 {
    let mut b = [0u8; 8];
    let n = key.len().min(8);
    b[..n].copy_from_slice(&key.as_bytes()[..n]);
    u64::from_be_bytes(b)
}

/// BG/NBD on the purchase days up to `last_day` (fitted on at most about
/// [`FIT_SAMPLE`] customers); P(alive) and the expected value of the next
/// 12 months of every customer.
fn lifetime(
    ledger: &Ledger,
    last_day: NaiveDate,
    basis: Basis,
) -> std::result::Result<Lifetime, String> {
    lifetime_in(ledger, last_day, basis, PREDICTION_MIN)
}

/// [`lifetime`] with the predictions on a thread per `min_per_thread`
/// customers (at most [`PREDICTION_THREADS`]).
fn lifetime_in(
    ledger: &Ledger,
    last_day: NaiveDate,
    basis: Basis,
    min_per_thread: usize,
) -> std::result::Result<Lifetime, String> {
    use crm_core::Datelike;
    let unit = TimeUnit::WEEK;
    let end = last_day.num_days_from_ce();
    // The summaries are made when needed, not kept for every customer:
    // the fit takes a sample, the predictions one customer at a time.
    let ids = buyers_by_key(ledger, end);
    let summary = |id: &crm_core::CustomerId| summary_of(ledger, *id, end, unit);
    let repeat = |id: &crm_core::CustomerId| {
        let days = ledger.purchase_day_numbers(*id).unwrap_or(&[]);
        days.get(1).is_some_and(|d| *d <= end)
    };
    if !ids.iter().any(repeat) {
        return Err("no customer has a repeat purchase".into());
    }
    let every = ids.len().div_ceil(FIT_SAMPLE) as u64;
    let everyone = || ids.iter().map(summary).collect::<Vec<_>>();
    let ((fit, penalizer), fitted_on) = if every > 1 {
        // Hashed in the ledger's order (its keys one after the other), then
        // taken in key order.
        let in_sample: Vec<bool> = ledger
            .ids()
            .map(|id| stable_hash(ledger.key(id).unwrap_or("")).is_multiple_of(every))
            .collect();
        let sample: Vec<crm_clv::Summary> = ids
            .iter()
            .filter(|id| in_sample.get(id.index()).copied().unwrap_or(false))
            .map(summary)
            .collect();
        match fit_bg_nbd(&sample) {
            Ok(f) => (f, sample.len()),
            Err(_) => (fit_bg_nbd(&everyone())?, ids.len()),
        }
    } else {
        (fit_bg_nbd(&everyone())?, ids.len())
    };
    let m = fit.model;
    let all = rfm_period(last_day.succ_opt().unwrap_or(last_day)).map_err(|e| e.to_string())?;
    let pi = ledger.period_index(&all).map_err(|e| e.to_string())?;
    let year = unit.from_days(365.25);
    // The predictions in the ledger's order (its records and purchase
    // days one after the other, not scattered as in key order), each
    // written to the customer's place in key order.
    let mut place = vec![u32::MAX; ledger.len()];
    for (k, id) in ids.iter().enumerate() {
        if let Some(p) = place.get_mut(id.index()) {
            *p = u32::try_from(k).unwrap_or(u32::MAX);
        }
    }
    // The expected purchases are P(alive) times the expected purchases if
    // alive, which depend on the frequency and the age only: customers of
    // the same frequency who bought first on the same day share them, and
    // each is computed once (up to a bounded number kept). P(alive), a
    // logarithm and an exponential, is computed for every customer.
    //
    // The ledger's customers are cut into consecutive ranges, each
    // predicted on a thread of its own: this step comes last, and the
    // other sections have often left a core idle by then. Each customer's
    // numbers depend on that customer alone, so the cut changes nothing;
    // an error is that of the first customer in ledger order that fails.
    let predict = |from: usize, to: usize| -> std::result::Result<Vec<(u32, f64, f64)>, String> {
        let mut out = Vec::new();
        let mut memo: HashMap<(u32, u64), f64> = HashMap::new();
        for id in ledger.ids().skip(from).take(to - from) {
            let Some(&k) = place.get(id.index()).filter(|k| **k != u32::MAX) else {
                continue;
            };
            let c = &summary(&id);
            let key = (c.frequency, c.t.to_bits());
            let if_alive = match memo.get(&key) {
                Some(known) => *known,
                None => {
                    let fresh = m.expected_purchases_if_alive(c, year).map_err(clv_err)?;
                    if memo.len() < MEMO_LIMIT {
                        memo.insert(key, fresh);
                    }
                    fresh
                }
            };
            let alive = m.p_alive(c).map_err(clv_err)?;
            let purchases = if_alive * alive;
            let v = ledger
                .period_totals(id, pi)
                .map_or(0.0, |t| to_f64(t.value(basis).as_decimal()));
            let per_day = v / f64::from(c.frequency.saturating_add(1));
            out.push((k, alive, purchases * per_day.max(0.0)));
        }
        Ok(out)
    };
    let n = ledger.len();
    let parts = PREDICTION_THREADS.min(n.div_ceil(min_per_thread.max(1)).max(1));
    let bounds: Vec<usize> = (0..=parts).map(|i| n * i / parts).collect();
    let predicted: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .windows(2)
            .skip(1)
            .map(|w| {
                let (from, to) = (w[0], w[1]);
                scope.spawn(move || predict(from, to))
            })
            .collect();
        let first = predict(bounds[0], bounds[1]);
        std::iter::once(first)
            .chain(handles.into_iter().map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err("the lifetime-value model failed".into()))
            }))
            .collect()
    });
    let mut p_alive = vec![0.0; ids.len()];
    let mut value = vec![0.0; ids.len()];
    for part in predicted {
        for (k, alive, v) in part? {
            if let (Some(a), Some(x)) = (p_alive.get_mut(k as usize), value.get_mut(k as usize)) {
                *a = alive;
                *x = v;
            }
        }
    }
    Ok(Lifetime {
        model: m.name(),
        penalizer,
        fitted_on: fitted_on as u64,
        p_alive,
        value,
    })
}

/// The `f64` nearest to `d`, as parsing its decimal text gives it, but
/// without the text in the common case: a mantissa below 2^53 and a
/// scale up to 22 are exact as `f64`, and one division of exact values
/// rounds once.
fn to_f64(d: crm_core::Decimal) -> f64 {
    let (m, scale) = (d.mantissa(), d.scale());
    if m.unsigned_abs() < 1 << 53 && scale <= 22 {
        const POW10: [f64; 23] = [
            1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
            1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
        ];
        m as f64 / POW10[scale as usize]
    } else {
        d.to_string().parse().unwrap_or(0.0)
    }
}

/// BG/NBD by maximum likelihood; when that finds no maximum (small data
/// sets often have their optimum at a boundary), with the small L2 penalty
/// of 0.01 that `lifetimes` users reach for, so that the report still shows
/// the model's view. Returns the fit and the penalty used.
fn fit_bg_nbd(
    data: &[crm_clv::Summary],
) -> std::result::Result<(crm_clv::Fit<BgNbd>, f64), String> {
    match BgNbd::fit(data, &FitOptions::new()) {
        Ok(f) => Ok((f, 0.0)),
        Err(first) => {
            let options = FitOptions::new().penalizer(0.01).map_err(clv_err)?;
            BgNbd::fit(data, &options)
                .map(|f| (f, 0.01))
                .map_err(|_| clv_err(first))
        }
    }
}

/// BG/NBD fitted up to `cal`, checked on the purchase days after it up to
/// `last_day`.
fn holdout(
    ledger: &Ledger,
    cal: NaiveDate,
    last_day: NaiveDate,
) -> std::result::Result<HoldoutCheck, String> {
    if cal >= last_day {
        return Err(format!(
            "the calibration end {cal} is not before the period's last day {last_day}"
        ));
    }
    let unit = TimeUnit::WEEK;
    let mut data = from_ledger(ledger, cal, unit).map_err(clv_err)?;
    let duration = unit.from_days((last_day - cal).num_days() as f64);
    let after = cal.checked_add_days(Days::new(1)).unwrap_or(cal);
    // The cohort's first purchases and repeat purchases by day, for the
    // tracking chart.
    let mut firsts: std::collections::BTreeMap<NaiveDate, u64> = Default::default();
    let mut repeats: std::collections::BTreeMap<NaiveDate, u64> = Default::default();
    for id in ledger.ids() {
        let Ok(Some(mut days)) = ledger.purchase_days(id) else {
            continue;
        };
        let Some(first) = days.next().filter(|d| *d <= cal) else {
            continue;
        };
        *firsts.entry(first).or_default() += 1;
        for d in days.take_while(|d| *d <= last_day) {
            *repeats.entry(d).or_default() += 1;
        }
    }
    let timeline = Timeline {
        first_purchases: firsts.into_iter().collect(),
        repeat_purchases: repeats.into_iter().collect(),
    };
    for c in &mut data {
        let n = ledger
            .id(&c.key)
            .and_then(|id| ledger.purchase_days(id).ok().flatten())
            .map_or(0, |days| {
                days.filter(|d| *d >= after && *d <= last_day).count()
            });
        c.holdout = Some(Holdout {
            frequency: u32::try_from(n).unwrap_or(u32::MAX),
            monetary: 0.0,
            duration,
        });
    }
    let (fit, _) = fit_bg_nbd(&data)?;
    let rows = holdout_by_frequency(&fit.model, &data, 7).map_err(clv_err)?;
    let tracking = tracking(&fit.model, &timeline, unit, 1.0, last_day).map_err(clv_err)?;
    Ok(HoldoutCheck {
        calibration_end: cal,
        rows,
        tracking,
    })
}

/// The levels of the Markov states, for renderers.
pub(crate) const STATES: [Level; N] = crm_migration::STATES;

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's share of wallet goes to the actions' facts only when
    /// its potentials are the ones the facts read (each key's last entry):
    /// not when a key's last entry has no potential after one that has.
    #[test]
    fn the_wallet_is_shared_only_with_the_facts_potentials() {
        let year: Period = "2025".parse().unwrap();
        let mut ledger = Ledger::new([year]);
        let day = NaiveDate::from_ymd_opt(2025, 3, 1).unwrap();
        for k in ["A", "B"] {
            ledger.record_sale(k, day, Money::from(10), None).unwrap();
        }
        let now = pyramid(&ledger, &year, &PyramidOptions::new()).unwrap();
        let entry = |k: &str, p: Option<i64>| {
            let mut c = Customer::new(k.parse().unwrap(), crm_core::Stage::Customer);
            c.potential = p.map(Money::from);
            c
        };
        let shared = |register: &[Customer]| {
            let ids: Vec<_> = register.iter().map(|c| ledger.id(c.key.as_str())).collect();
            share_of_wallet(&ledger, &now, None, Some((register, &ids)))
                .unwrap()
                .map(|w| (w.from_register, w.wallet.shares.len()))
        };
        assert_eq!(
            shared(&[entry("A", Some(100)), entry("B", None)]),
            Some((true, 1))
        );
        // B's later entry gives a potential: both read it.
        assert_eq!(
            shared(&[
                entry("B", None),
                entry("A", Some(100)),
                entry("B", Some(50))
            ]),
            Some((true, 2))
        );
        // B's last entry has none: the page keeps 50, the facts would not.
        assert_eq!(
            shared(&[
                entry("A", Some(100)),
                entry("B", Some(50)),
                entry("B", None)
            ]),
            Some((false, 2))
        );
        // And a later one with a potential again: the same for both.
        assert_eq!(
            shared(&[entry("B", Some(50)), entry("B", None), entry("B", Some(60))]),
            Some((true, 1))
        );
        assert_eq!(shared(&[entry("A", None)]), None);
    }

    #[test]
    fn the_sample_hash_is_fnv_1a() {
        assert_eq!(stable_hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(stable_hash("a"), 0xaf63_dc4c_8601_ec8c);
    }

    /// The predictions are in key order whatever order the customers
    /// came in (they are computed in the ledger's order).
    #[test]
    fn lifetime_values_are_in_key_order() {
        let all = rfm_period(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap();
        let base = NaiveDate::from_ymd_opt(2022, 1, 1).unwrap();
        let sales: Vec<(String, u64, i64)> = (0..60u64)
            .flat_map(|c| {
                (0..1 + (c * 7) % 6).map(move |k| {
                    let key = if c % 3 == 0 {
                        format!("Customer-{c:02}")
                    } else {
                        format!("K{c:02}")
                    };
                    (
                        key,
                        (c * 17) % 700 + k * (20 + (c * 29) % 200),
                        10 + (c * 13 % 90) as i64,
                    )
                })
            })
            .collect();
        let run = |order: &mut dyn Iterator<Item = &(String, u64, i64)>| {
            let mut l = Ledger::with_options([all], LedgerOptions::new().purchase_days(true));
            for (k, d, v) in order {
                l.record_sale(k, base + Days::new(*d), Money::new((*v).into()), None)
                    .unwrap();
            }
            lifetime(
                &l,
                NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
                Basis::Revenue,
            )
            .unwrap()
        };
        let forward = run(&mut sales.iter());
        let backward = run(&mut sales.iter().rev());
        assert_eq!(forward.p_alive.len(), 60);
        assert_eq!(forward, backward);
        // Predicted on several threads, the same numbers in the same places.
        let mut l = Ledger::with_options([all], LedgerOptions::new().purchase_days(true));
        for (k, d, v) in &sales {
            l.record_sale(k, base + Days::new(*d), Money::new((*v).into()), None)
                .unwrap();
        }
        let last = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
        for min in [1, 7, 30, 59] {
            assert_eq!(lifetime_in(&l, last, Basis::Revenue, min).unwrap(), forward);
        }
    }

    proptest::proptest! {
        /// Keys whose prefixes differ order as their prefixes do.
        #[test]
        fn key_prefixes_order_as_the_keys(a in "[ -~]{0,12}", b in "[ -~]{0,12}") {
            let (pa, pb) = (key_prefix(&a), key_prefix(&b));
            if pa != pb {
                proptest::prop_assert_eq!(pa.cmp(&pb), a.as_bytes().cmp(b.as_bytes()));
            }
        }

        /// The report's summaries are `crm_clv::from_ledger`'s, in the same
        /// (key) order.
        #[test]
        fn summaries_are_those_of_the_clv_crate(
            sales in proptest::collection::vec((0u8..40, 0u32..900), 0..200),
            end in 0i32..900,
        ) {
            let base = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
            let all = rfm_period(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()).unwrap();
            let mut ledger = Ledger::with_options([all], LedgerOptions::new().purchase_days(true));
            for (c, d) in &sales {
                let day = base + Days::new(u64::from(*d));
                // Short keys, and long ones sharing their first eight bytes.
                let key = if c % 2 == 0 { format!("K{c}") } else { format!("Customer-{c}") };
                ledger.record_sale(&key, day, Money::new(1.into()), None).unwrap();
            }
            let end_day = base + Days::new(end as u64);
            let expected = from_ledger(&ledger, end_day, TimeUnit::WEEK).unwrap();
            use crm_core::Datelike;
            let end = end_day.num_days_from_ce();
            let ids = buyers_by_key(&ledger, end);
            let got: Vec<_> = ids.iter().map(|id| summary_of(&ledger, *id, end, TimeUnit::WEEK)).collect();
            proptest::prop_assert_eq!(ids.len(), expected.len());
            for ((id, g), e) in ids.iter().zip(&got).zip(&expected) {
                proptest::prop_assert_eq!(ledger.key(*id).unwrap(), e.key.as_str());
                proptest::prop_assert_eq!((g.frequency, g.recency, g.t), (e.frequency, e.recency, e.t));
            }
        }

        /// The fast conversion gives the same `f64` as parsing the text.
        #[test]
        fn to_f64_is_the_parsed_text(m in proptest::num::i128::ANY, scale in 0u32..=28) {
            let m = m % 79_228_162_514_264_337_593_543_950_335;
            let d = crm_core::Decimal::from_i128_with_scale(m, scale);
            let parsed: f64 = d.to_string().parse().unwrap();
            proptest::prop_assert_eq!(to_f64(d).to_bits(), parsed.to_bits());
        }

        /// Money-like amounts take the fast path.
        #[test]
        fn to_f64_of_cents(cents in -(1i64 << 52)..(1i64 << 52)) {
            let d = crm_core::Decimal::new(cents, 2);
            let parsed: f64 = d.to_string().parse().unwrap();
            proptest::prop_assert_eq!(to_f64(d).to_bits(), parsed.to_bits());
        }
    }
}
