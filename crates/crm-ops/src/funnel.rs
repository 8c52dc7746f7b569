//! From lead to order: the funnel of a period, the pipeline weighted by
//! the chance to win, and the quality of the customers leads brought.

use std::collections::BTreeMap;

use crm_core::{Basis, Days, Decimal, Lead, LeadStage, Ledger, Money, NaiveDate, Period};
use crm_migration::{Migration, Source};
use crm_pyramid::{Level, Pyramid};

use crate::{Error, Result};

/// What the funnel is cut by, beside the total.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum GroupBy {
    /// The lead's owner.
    Owner,
    /// The lead's source.
    Source,
}

impl GroupBy {
    /// The lowercase name (`owner`, `source`).
    pub const fn as_str(self) -> &'static str {
        match self {
            GroupBy::Owner => "owner",
            GroupBy::Source => "source",
        }
    }

    fn of(self, lead: &Lead) -> Option<&str> {
        match self {
            GroupBy::Owner => lead.owner.as_deref(),
            GroupBy::Source => lead.source.as_deref(),
        }
    }
}

/// How the funnel is measured.
///
/// ```
/// use crm_ops::{FunnelOptions, GroupBy};
///
/// let o = FunnelOptions::new().by(GroupBy::Source).stale_days(14);
/// assert_eq!((o.by, o.stale_days), (Some(GroupBy::Source), 14));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct FunnelOptions {
    /// The cut beside the total. Default none (the total only).
    pub by: Option<GroupBy>,
    /// An open lead is stale when its last stage change is more than this
    /// many days before the period's last day. Default 30.
    pub stale_days: u32,
}

impl Default for FunnelOptions {
    fn default() -> Self {
        FunnelOptions {
            by: None,
            stale_days: 30,
        }
    }
}

impl FunnelOptions {
    /// The defaults: the total only, stale after 30 days.
    pub fn new() -> FunnelOptions {
        FunnelOptions::default()
    }

    /// Cuts the funnel by owner or source too. Costs one pass per group.
    #[must_use]
    pub fn by(mut self, by: GroupBy) -> FunnelOptions {
        self.by = Some(by);
        self
    }

    /// Sets the days without a stage change after which an open lead is
    /// stale (default 30).
    #[must_use]
    pub fn stale_days(mut self, days: u32) -> FunnelOptions {
        self.stale_days = days;
        self
    }
}

/// One stage of the funnel of a group.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StageFigures {
    /// The stage.
    pub stage: LeadStage,
    /// Leads created in the period that reached the stage by the period's
    /// end (a stage skipped counts as passed).
    pub reached: u64,
    /// `reached` over the previous stage's; `None` for the first stage
    /// and after a stage no lead reached.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub conversion: Option<f64>,
    /// Median days from entering the stage to entering the next one, over
    /// the leads that left it with both dates known; `None` without any.
    pub median_days: Option<f64>,
    /// The leads behind `median_days`.
    pub timed: u64,
}

/// A lost reason and how often it was given.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct LostReason {
    /// The reason; `None` for lost leads without one.
    pub reason: Option<String>,
    /// Lost leads with this reason.
    pub leads: u64,
}

/// The open leads at the period's end: the pipeline.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Pipeline {
    /// Leads open at the period's end, whenever they were created.
    pub open: u64,
    /// Their value.
    pub value: Money,
    /// The sum of each open lead's value × P(win | its stage), to the cent.
    pub weighted: Money,
    /// Open leads whose stage has no closed lead in the history, so no
    /// P(win | stage): left out of `weighted`.
    pub unweighted: u64,
    /// Open leads without a stage change for more than the stale days.
    pub stale: u64,
}

/// The funnel of one group (or of all leads).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct FunnelGroup {
    /// The owner or source; `None` for the total, and for the leads
    /// without an owner or source in a cut.
    pub name: Option<String>,
    /// Leads created in the period.
    pub created: u64,
    /// Per stage of the road (`lead`, `qualified`, `quote`, `won`).
    pub stages: Vec<StageFigures>,
    /// Of the leads created, won by the period's end.
    pub won: u64,
    /// Of the leads created, lost by the period's end.
    pub lost: u64,
    /// Of the leads created, still open at the period's end.
    pub open: u64,
    /// `won / (won + lost)`; `None` when none closed.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub win_rate: Option<f64>,
    /// Why the lost ones were lost, most frequent first.
    pub lost_reasons: Vec<LostReason>,
    /// The open leads at the period's end, whenever created.
    pub pipeline: Pipeline,
}

/// The chance that a lead in a stage is won, from closed leads.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct WinProbability {
    /// The open stage.
    pub stage: LeadStage,
    /// Leads closed by the period's end (any creation date) that reached
    /// the stage.
    pub closed: u64,
    /// Of those, won.
    pub won: u64,
    /// `won / closed`; `None` when none closed.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub probability: Option<f64>,
}

/// An open lead without a stage change for too long.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct StaleLead {
    /// The lead's id, when it has one.
    pub id: Option<String>,
    /// The customer or prospect.
    pub customer: String,
    /// The owner.
    pub owner: Option<String>,
    /// The source.
    pub source: Option<String>,
    /// The stage it is in.
    pub stage: LeadStage,
    /// Its last stage change.
    pub last_change: NaiveDate,
    /// Days from the last change to the period's last day.
    pub days: i64,
    /// Its value.
    pub value: Money,
}

/// Where the customers won from leads of one source or owner stood one
/// period after their first order.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Quality {
    /// Whether `name` is a source or an owner.
    pub by: GroupBy,
    /// The source or owner; `None` for leads without one.
    pub name: Option<String>,
    /// Customers won from its leads whose first order came on or after the
    /// lead's creation (new customers, not existing ones).
    pub customers: u64,
    /// Of those, per pyramid level one period after the period of the
    /// first order, in level order (top first), levels with customers only.
    /// In JSON an object from level to customers (`{"top": 1, "small": 4}`),
    /// in level order.
    #[cfg_attr(feature = "serde", serde(serialize_with = "level_counts"))]
    pub levels: Vec<(Level, u64)>,
    /// Of those, in an active level then (top, big, medium, small).
    pub active: u64,
    /// Of those, whose level one period after is not known yet (that
    /// period is not among the pyramids given, or has not ended).
    pub pending: u64,
    /// Won leads of customers without any purchase on record.
    pub no_order: u64,
}

/// Writes `(level, customers)` pairs as one JSON object, in their order.
#[cfg(feature = "serde")]
fn level_counts<S: serde::Serializer>(
    levels: &[(Level, u64)],
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_map(levels.iter().map(|(level, n)| (level.as_str(), n)))
}

/// The road from lead to order in one period: the funnel of the leads
/// created in it, the pipeline at its end, the chance to win per stage,
/// the stale leads and the quality of the customers leads brought.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Funnel {
    /// The period.
    pub period: Period,
    /// The period's last day: leads are taken as they stood at its end.
    pub as_of: NaiveDate,
    /// The cut, when one was asked for.
    pub by: Option<GroupBy>,
    /// The stale days used.
    pub stale_days: u32,
    /// Distinct leads in the input (rows of one lead folded).
    pub leads: u64,
    /// Leads without any stage date: in no period, left out.
    pub undated: u64,
    /// All leads.
    pub total: FunnelGroup,
    /// Per owner or source, by name (those without one first).
    pub groups: Vec<FunnelGroup>,
    /// P(win | stage) for the open stages, from the closed leads of the
    /// history.
    pub win_probability: Vec<WinProbability>,
    /// The stale open leads, longest without a change first.
    pub stale: Vec<StaleLead>,
    /// Quality of acquisition by source, then by owner.
    pub quality: Vec<Quality>,
}

/// Measures the road from lead to order in `period`.
///
/// Leads are taken as they stood at the end of the period's last day
/// (stage changes after it are ignored, as the pyramid ignores later
/// sales), folded by id first ([`crm_core::merge_leads`]), so a lead given
/// twice counts once. For the leads *created* in the period (the day they
/// entered `lead`, or their first stage date): how many reached each stage
/// (a lead that entered a later stage passed the ones before, skipped or
/// not; `lost` ends the road at the highest stage entered), the conversion
/// from stage to stage, the median days in each stage, the win rate and
/// the lost reasons. For every lead open at the period's end: the pipeline
/// value, weighted by P(win | stage), and the stale leads (last change more
/// than `stale_days` before the last day). P(win | stage) is estimated from
/// all leads closed by the period's end that reached the stage.
///
/// Quality of acquisition: each customer won from a lead (the earliest won
/// lead, whose source and owner it is counted under) whose first purchase
/// came on or after the lead's creation is looked up in the pyramid of the
/// period after the one holding the first purchase; `pyramids` are those
/// of consecutive periods (any order), e.g. every year of the history.
/// The ledger gives the first purchases (value > 0 on the revenue basis).
///
/// # Errors
///
/// An amount overflow in the pipeline's sums;
/// [`Error::PyramidOfAnotherLedger`] for a pyramid not built from `ledger`.
///
/// ```
/// use crm_core::{CustomerKey, Lead, LeadStage, Ledger, NaiveDate, Period};
/// use crm_ops::{funnel, FunnelOptions};
///
/// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
/// let lead = |id: &str, stages: &[(LeadStage, NaiveDate)]| {
///     let mut l = Lead::new(CustomerKey::new(id).unwrap(), stages[stages.len() - 1].0, "100".parse().unwrap())
///         .with_id(id);
///     for (s, day) in stages {
///         l = l.entered_on(*s, *day);
///     }
///     l
/// };
/// let leads = vec![
///     // Won without a recorded quote: the quote counts as passed.
///     lead("A", &[(LeadStage::Lead, d(1, 6)), (LeadStage::Qualified, d(1, 20)), (LeadStage::Won, d(2, 3))]),
///     lead("B", &[(LeadStage::Lead, d(1, 9)), (LeadStage::Lost, d(3, 1))]),
///     lead("C", &[(LeadStage::Lead, d(2, 1)), (LeadStage::Quote, d(4, 1))]),
/// ];
/// let year: Period = "2025".parse()?;
/// let f = funnel(&leads, &Ledger::new([year]), &[], &year, &FunnelOptions::new())?;
/// let reached: Vec<u64> = f.total.stages.iter().map(|s| s.reached).collect();
/// assert_eq!(reached, [3, 2, 2, 1]);
/// assert_eq!((f.total.won, f.total.lost, f.total.open), (1, 1, 1));
/// assert_eq!(f.total.win_rate, Some(0.5));
/// // C is open in `quote`; of the closed leads that reached a quote, all won.
/// assert_eq!(f.total.pipeline.weighted, "100".parse()?);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn funnel(
    leads: &[Lead],
    ledger: &Ledger,
    pyramids: &[Pyramid],
    period: &Period,
    options: &FunnelOptions,
) -> Result<Funnel> {
    if let Some(p) = pyramids.iter().find(|p| p.len() != ledger.len()) {
        return Err(Error::PyramidOfAnotherLedger {
            period: *p.period(),
            pyramid: p.len(),
            ledger: ledger.len(),
        });
    }
    let as_of = period
        .end()
        .checked_sub_days(Days::new(1))
        .unwrap_or(period.start());
    let folded = crm_core::merge_leads(leads.iter().cloned());
    let distinct = folded.len();
    let undated = folded.iter().filter(|l| l.created().is_none()).count();
    // Every lead as it stood at the period's end (most changed nothing
    // since: kept as they are, without a copy).
    let now: Vec<Lead> = folded
        .into_iter()
        .filter_map(|l| match (l.created(), l.last_change()) {
            (Some(c), Some(last)) if c <= as_of && last <= as_of => Some(l),
            _ => l.as_of(as_of),
        })
        .collect();
    let win_probability = win_probabilities(&now);
    let mut stale: Vec<StaleLead> = now
        .iter()
        .filter_map(|l| stale_lead(l, as_of, options.stale_days))
        .collect();
    stale.sort_by(|a, b| (b.days, &a.id, &a.customer).cmp(&(a.days, &b.id, &b.customer)));
    let all: Vec<&Lead> = now.iter().collect();
    let total = group(None, &all, period, as_of, options, &win_probability)?;
    let mut groups = Vec::new();
    if let Some(by) = options.by {
        let mut names: BTreeMap<Option<&str>, Vec<&Lead>> = BTreeMap::new();
        for l in &now {
            names.entry(by.of(l)).or_default().push(l);
        }
        for (name, members) in names {
            groups.push(group(
                name.map(str::to_string),
                &members,
                period,
                as_of,
                options,
                &win_probability,
            )?);
        }
    }
    let quality = quality(&now, ledger, pyramids, as_of);
    Ok(Funnel {
        period: *period,
        as_of,
        by: options.by,
        stale_days: options.stale_days,
        leads: count(distinct),
        undated: count(undated),
        total,
        groups,
        win_probability,
        stale,
        quality,
    })
}

fn count(n: usize) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

/// `a / b` as a share by the toolkit's one rule ([`crm_core::share`]: 6
/// decimals, half to even), kept as `f64`.
fn ratio(a: u64, b: u64) -> Option<f64> {
    crm_core::share(Decimal::from(a), Decimal::from(b)).map(crm_core::share_to_f64)
}

/// The index of the highest stage of the road a lead reached (0 = lead,
/// 3 = won); a lost lead reached the highest open stage it entered.
fn highest(l: &Lead) -> usize {
    LeadStage::FUNNEL
        .iter()
        .rposition(|s| l.entered.contains_key(s) || l.stage == *s)
        .unwrap_or(0)
}

fn median(mut v: Vec<i64>) -> Option<f64> {
    v.sort_unstable();
    let n = v.len();
    if n == 0 {
        return None;
    }
    let mid = n / 2;
    let hi = *v.get(mid)?;
    if n % 2 == 1 {
        Some(hi as f64)
    } else {
        let lo = *v.get(mid - 1)?;
        Some((lo + hi) as f64 / 2.0)
    }
}

/// Days from entering `stage` to entering the next stage after it.
fn days_in(l: &Lead, stage: LeadStage) -> Option<i64> {
    let start = *l.entered.get(&stage)?;
    let next = l
        .entered
        .iter()
        .filter(|&(s, d)| *s > stage && *d >= start)
        .map(|(_, d)| *d)
        .min()?;
    Some((next - start).num_days())
}

fn win_probabilities(now: &[Lead]) -> Vec<WinProbability> {
    LeadStage::OPEN
        .iter()
        .enumerate()
        .map(|(i, &stage)| {
            let reached = now.iter().filter(|l| l.is_closed() && highest(l) >= i);
            let (mut closed, mut won) = (0, 0);
            for l in reached {
                closed += 1;
                won += u64::from(l.stage == LeadStage::Won);
            }
            WinProbability {
                stage,
                closed,
                won,
                probability: ratio(won, closed),
            }
        })
        .collect()
}

fn stale_lead(l: &Lead, as_of: NaiveDate, stale_days: u32) -> Option<StaleLead> {
    if l.is_closed() {
        return None;
    }
    let last = l.last_change()?;
    let days = (as_of - last).num_days();
    (days > i64::from(stale_days)).then(|| StaleLead {
        id: l.id.clone(),
        customer: l.customer.as_str().to_string(),
        owner: l.owner.clone(),
        source: l.source.clone(),
        stage: l.stage,
        last_change: last,
        days,
        value: l.value,
    })
}

fn overflow(what: &str) -> Error {
    Error::Core(crm_core::Error::AmountOverflow {
        what: what.to_string(),
    })
}

fn group(
    name: Option<String>,
    now: &[&Lead],
    period: &Period,
    as_of: NaiveDate,
    options: &FunnelOptions,
    p: &[WinProbability],
) -> Result<FunnelGroup> {
    let cohort: Vec<&Lead> = now
        .iter()
        .copied()
        .filter(|l| l.created().is_some_and(|c| period.contains(c)))
        .collect();
    let mut reached = [0u64; 4];
    for l in &cohort {
        for r in reached.iter_mut().take(highest(l) + 1) {
            *r += 1;
        }
    }
    let mut stages = Vec::with_capacity(4);
    for (i, &stage) in LeadStage::FUNNEL.iter().enumerate() {
        let r = reached.get(i).copied().unwrap_or(0);
        let previous = i.checked_sub(1).and_then(|j| reached.get(j).copied());
        let times: Vec<i64> = if stage == LeadStage::Won {
            Vec::new()
        } else {
            cohort.iter().filter_map(|l| days_in(l, stage)).collect()
        };
        stages.push(StageFigures {
            stage,
            reached: r,
            conversion: previous.and_then(|prev| ratio(r, prev)),
            timed: count(times.len()),
            median_days: median(times),
        });
    }
    let won = count(cohort.iter().filter(|l| l.stage == LeadStage::Won).count());
    let lost = count(cohort.iter().filter(|l| l.stage == LeadStage::Lost).count());
    let mut reasons: BTreeMap<Option<&str>, u64> = BTreeMap::new();
    for l in cohort.iter().filter(|l| l.stage == LeadStage::Lost) {
        *reasons.entry(l.lost_reason.as_deref()).or_default() += 1;
    }
    let mut lost_reasons: Vec<LostReason> = reasons
        .into_iter()
        .map(|(r, n)| LostReason {
            reason: r.map(str::to_string),
            leads: n,
        })
        .collect();
    lost_reasons.sort_by(|a, b| b.leads.cmp(&a.leads).then_with(|| a.reason.cmp(&b.reason)));

    let mut pipeline = Pipeline::default();
    let mut weighted = Decimal::ZERO;
    for l in now.iter().filter(|l| !l.is_closed()) {
        pipeline.open += 1;
        pipeline.value = pipeline
            .value
            .checked_add(l.value)
            .ok_or_else(|| overflow("the pipeline's value"))?;
        let stage = p.get(highest(l).min(LeadStage::OPEN.len() - 1));
        match stage {
            Some(w) if w.closed > 0 => {
                let share = Decimal::from(w.won)
                    .checked_div(Decimal::from(w.closed))
                    .ok_or_else(|| overflow("P(win | stage)"))?;
                weighted = l
                    .value
                    .as_decimal()
                    .checked_mul(share)
                    .and_then(|v| weighted.checked_add(v))
                    .ok_or_else(|| overflow("the weighted pipeline value"))?;
            }
            _ => pipeline.unweighted += 1,
        }
        if stale_lead(l, as_of, options.stale_days).is_some() {
            pipeline.stale += 1;
        }
    }
    pipeline.weighted = Money::new(weighted).round_dp(2);
    Ok(FunnelGroup {
        name,
        created: count(cohort.len()),
        stages,
        won,
        lost,
        open: count(cohort.len()).saturating_sub(won + lost),
        win_rate: ratio(won, won + lost),
        lost_reasons,
        pipeline,
    })
}

fn quality(now: &[Lead], ledger: &Ledger, pyramids: &[Pyramid], as_of: NaiveDate) -> Vec<Quality> {
    // The earliest won lead of each customer.
    let mut first_won: BTreeMap<&str, &Lead> = BTreeMap::new();
    for l in now.iter().filter(|l| l.stage == LeadStage::Won) {
        let won = l.entered.get(&LeadStage::Won);
        first_won
            .entry(l.customer.as_str())
            .and_modify(|e| {
                if (won, &l.id) < (e.entered.get(&LeadStage::Won), &e.id) {
                    *e = l;
                }
            })
            .or_insert(l);
    }
    let mut sorted: Vec<&Pyramid> = pyramids.iter().collect();
    sorted.sort_by_key(|p| p.period().start());
    let mut out = Vec::new();
    for by in [GroupBy::Source, GroupBy::Owner] {
        let mut rows: BTreeMap<Option<&str>, Quality> = BTreeMap::new();
        for (key, l) in &first_won {
            let name = by.of(l);
            let q = rows.entry(name).or_insert_with(|| Quality {
                by,
                name: name.map(str::to_string),
                customers: 0,
                levels: Vec::new(),
                active: 0,
                pending: 0,
                no_order: 0,
            });
            // As the lead stood at the period's end: an order after it is
            // not there yet (whether the ledger saw later sales or not).
            let first = ledger
                .id(key)
                .and_then(|id| ledger.totals(id).ok()?.first_purchase(Basis::Revenue))
                .filter(|d| *d <= as_of);
            let Some(first) = first else {
                q.no_order += 1;
                continue;
            };
            if l.created().is_some_and(|c| first < c) {
                // An existing customer: not acquired by this lead.
                continue;
            }
            q.customers += 1;
            let level = sorted
                .iter()
                .position(|p| p.period().contains(first))
                .and_then(|i| {
                    let (this, next) = (sorted.get(i)?, sorted.get(i + 1)?);
                    (next.period().start() == this.period().end()).then_some(next)
                })
                .and_then(|next| {
                    ledger
                        .id(key)
                        .and_then(|id| next.level_of(id).ok().flatten())
                });
            match level {
                Some(level) => {
                    q.active += u64::from(level.is_active());
                    match q.levels.iter_mut().find(|(l, _)| *l == level) {
                        Some((_, n)) => *n += 1,
                        None => q.levels.push((level, 1)),
                    }
                }
                None => q.pending += 1,
            }
        }
        for mut q in rows.into_values() {
            q.levels.sort();
            out.push(q);
        }
    }
    out
}

/// The road from suspect to customer as the migration matrix shows it,
/// for when there are no leads: of the suspects of the earlier period, how
/// many were prospects or customers in the later one; of the prospects,
/// how many became customers (an active level).
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct AcquisitionRates {
    /// The earlier period.
    pub from: Period,
    /// The later period.
    pub to: Period,
    /// Suspects in the earlier period.
    pub suspects: u64,
    /// Of those, prospects in the later one.
    pub suspects_to_prospects: u64,
    /// Of those, customers (active) in the later one.
    pub suspects_to_customers: u64,
    /// Prospects in the earlier period.
    pub prospects: u64,
    /// Of those, customers (active) in the later one.
    pub prospects_to_customers: u64,
    /// `suspects_to_prospects / suspects`.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub suspect_to_prospect: Option<f64>,
    /// `suspects_to_customers / suspects`.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub suspect_to_customer: Option<f64>,
    /// `prospects_to_customers / prospects`.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::share_str::option"))]
    pub prospect_to_customer: Option<f64>,
}

/// The suspect → prospect → customer rates of a migration matrix.
///
/// ```
/// use crm_core::{Ledger, NaiveDate, Period, Stage};
/// use crm_migration::Migration;
/// use crm_ops::acquisition_rates;
/// use crm_pyramid::{pyramid, PyramidOptions};
///
/// let (a, b): (Period, Period) = ("2024".parse()?, "2025".parse()?);
/// let mut ledger = Ledger::new([a, b]);
/// ledger.record_register("S1", Stage::Suspect)?;
/// ledger.record_register("S2", Stage::Suspect)?;
/// ledger.record_interaction("S1", NaiveDate::from_ymd_opt(2025, 3, 1).unwrap())?;
/// let o = PyramidOptions::new();
/// let m = Migration::between(&ledger, &pyramid(&ledger, &a, &o)?, &pyramid(&ledger, &b, &o)?)?;
/// let r = acquisition_rates(&m);
/// assert_eq!((r.suspects, r.suspects_to_prospects), (2, 1));
/// assert_eq!(r.suspect_to_prospect, Some(0.5));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn acquisition_rates(m: &Migration) -> AcquisitionRates {
    let to_active = |from: Level| -> u64 {
        Level::ACTIVE
            .iter()
            .map(|&to| m.cell(Source::Level(from), to).customers)
            .sum()
    };
    let suspects = m.row_total(Source::Level(Level::Suspect)).customers;
    let prospects = m.row_total(Source::Level(Level::Prospect)).customers;
    let s2p = m
        .cell(Source::Level(Level::Suspect), Level::Prospect)
        .customers;
    let s2c = to_active(Level::Suspect);
    let p2c = to_active(Level::Prospect);
    AcquisitionRates {
        from: m.from,
        to: m.to,
        suspects,
        suspects_to_prospects: s2p,
        suspects_to_customers: s2c,
        prospects,
        prospects_to_customers: p2c,
        suspect_to_prospect: ratio(s2p, suspects),
        suspect_to_customer: ratio(s2c, suspects),
        prospect_to_customer: ratio(p2c, prospects),
    }
}
