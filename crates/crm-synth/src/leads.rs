//! Leads on the road to an order: the won leads that brought some of the
//! customers, and the lost and open leads of prospects, with owners and
//! sources that differ in win rate and in the customers they bring.
//!
//! Drawn from streams of their own (seeded by the configuration's seed),
//! so that the rest of the data set does not change when leads change, and
//! the leads do not change when the rest of the generator draws more.

use crm_core::{Days, LeadStage, NaiveDate, Stage};
use rand::Rng;
use rand_distr::{Distribution, Exp, LogNormal};
use rand_pcg::Pcg64Mcg;

use crate::{Dataset, Result, SynthConfig, dist, rng_for};

/// Streams of the lead generator: the won lead of customer `i` and the
/// lost leads drawn with it use stream `WON` at index `i`.
const WON: u64 = 101;

/// The owners (salespeople) of the leads.
pub const OWNERS: [&str; 4] = ["anna", "bram", "chris", "dana"];

/// The sources of the leads with, per source: its win rate (won of
/// closed), and how strongly it favours customers of high first-year value
/// (a referral brings larger customers, the website smaller ones).
const SOURCES: [(&str, f64, f64); 4] = [
    ("referral", 0.60, 1.5),
    ("fair", 0.40, 0.4),
    ("web", 0.25, -1.5),
    ("call", 0.20, -0.4),
];

/// Relative weight of each owner among lost leads (won leads are shared
/// evenly): owners differ in win rate.
const OWNER_LOST_WEIGHT: [f64; 4] = [0.8, 1.6, 1.0, 1.2];

/// Why lost leads were lost, with their relative frequency.
const LOST_REASONS: [(&str, u32); 5] = [
    ("price", 30),
    ("competitor", 25),
    ("no budget", 20),
    ("no response", 15),
    ("timing", 10),
];

/// Share of customers acquired in the last three years who came in
/// through a recorded lead (the others walked in).
const FROM_LEADS: f64 = 0.25;

/// One generated lead with its stage history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthLead {
    /// The number of the lead, 1 for the first created; its id is
    /// `L00001` ([`SynthLead::id`]).
    pub number: u32,
    /// The customer's or prospect's key.
    pub key: String,
    /// The owner.
    pub owner: &'static str,
    /// The source.
    pub source: &'static str,
    /// The expected order value in whole currency units.
    pub value: i64,
    /// The stages entered, in order, with their dates.
    pub stages: Vec<(LeadStage, NaiveDate)>,
    /// Why it was lost, for a lost lead.
    pub lost_reason: Option<&'static str>,
}

impl SynthLead {
    /// The lead's id: `L` and its number in five or more digits.
    pub fn id(&self) -> String {
        format!("L{:05}", self.number)
    }
}

/// The days a lead spends in each open stage before the next step: mostly
/// weeks, sometimes a long stall (the stale leads of a pipeline).
fn stage_days(rng: &mut Pcg64Mcg, mean: f64) -> u64 {
    let d = if rng.random_bool(0.12) {
        rng.random_range(60.0..200.0)
    } else {
        dist(Exp::new(1.0 / mean)).sample(rng)
    };
    d.ceil().max(1.0) as u64
}

/// The path of a lead from creation: lead, qualified (skipped in one lead
/// of seven), quote, then the end stage after the quote; the days between
/// each step, in order.
fn path(rng: &mut Pcg64Mcg, end_stage: LeadStage, reached: usize) -> Vec<(LeadStage, u64)> {
    let mut v = vec![(LeadStage::Lead, 0)];
    let means = [12.0, 18.0, 25.0];
    let skip_qualified = rng.random_bool(1.0 / 7.0);
    for (i, s) in [LeadStage::Qualified, LeadStage::Quote]
        .into_iter()
        .enumerate()
    {
        if i + 1 > reached {
            break;
        }
        let gap = stage_days(rng, means[i]);
        if s == LeadStage::Qualified && skip_qualified {
            // The gap still passes; the stage is not recorded.
            v.push((LeadStage::Lead, gap));
            continue;
        }
        v.push((s, gap));
    }
    v.push((end_stage, stage_days(rng, means[reached.min(2)])));
    v
}

/// Dates the path from `created`, keeping what happened before `end`;
/// skipped stages (recorded as a second `lead`) leave no row.
fn dated(
    created: NaiveDate,
    steps: &[(LeadStage, u64)],
    end: NaiveDate,
) -> Vec<(LeadStage, NaiveDate)> {
    let mut day = created;
    let mut out = Vec::new();
    for (i, &(s, gap)) in steps.iter().enumerate() {
        day = day + Days::new(gap);
        if day >= end {
            break;
        }
        if i > 0 && s == LeadStage::Lead {
            continue;
        }
        out.push((s, day));
    }
    out
}

/// An index drawn with the given weights (the last one when rounding
/// leaves nothing).
fn pick(rng: &mut Pcg64Mcg, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    let mut x = rng.random_range(0.0..total.max(f64::MIN_POSITIVE));
    for (i, w) in weights.iter().enumerate() {
        x -= w.max(0.0);
        if x < 0.0 {
            return i;
        }
    }
    weights.len().saturating_sub(1)
}

/// Generates the leads of a data set made by [`generate`](crate::generate)
/// with the same configuration.
///
/// A quarter of the customers acquired in the last three years came in
/// through a lead: won on the day of their first purchase, created weeks
/// before, its value that first purchase. Its source depends on how much
/// the customer spent in its first year (referrals bring the larger
/// customers, the website the smaller ones), its owner does not. Each
/// source wins at its own rate, so with every won lead come lost leads of
/// prospects (a referral 0.7 on average, a cold call 4): created in the
/// last three years, lost after the lead, qualified or quote stage for a
/// reason, owned more often by some salespeople than others. A lead whose
/// next step would fall after the window's end is still open, and one in
/// eight stalls for two to seven months in a stage.
///
/// # Errors
///
/// [`Error::Config`](crate::Error::Config) as [`generate`](crate::generate).
pub fn generate_leads(config: &SynthConfig, data: &Dataset) -> Result<Vec<SynthLead>> {
    let (start, end) = config.window()?;
    let from = NaiveDate::from_ymd_opt(config.last_year - 2, 1, 1)
        .unwrap_or(start)
        .max(start);
    let customers: Vec<&crate::SynthParty> = data
        .parties
        .iter()
        .filter(|p| p.stage == Stage::Customer)
        .collect();
    let prospects: Vec<&str> = data
        .parties
        .iter()
        .filter(|p| p.stage == Stage::Prospect)
        .map(|p| p.key.as_str())
        .collect();
    // First purchase and first-year revenue per customer.
    let mut first: Vec<Option<(NaiveDate, i64)>> = vec![None; customers.len()];
    let mut year_one = vec![0i64; customers.len()];
    for t in &data.transactions {
        let i = t.customer as usize;
        let (Some(f), Some(y)) = (first.get_mut(i), year_one.get_mut(i)) else {
            continue;
        };
        if f.is_none() && t.revenue_cents > 0 {
            *f = Some((t.date, t.revenue_cents));
        }
        if let Some((d, _)) = f
            && (t.date - *d).num_days() < 365
        {
            *y += t.revenue_cents;
        }
    }
    let mut ranked: Vec<i64> = year_one.clone();
    ranked.sort_unstable();
    let value_of_lost = dist(LogNormal::new(6.2, 0.9));

    let mut leads = Vec::new();
    for (i, p) in customers.iter().enumerate() {
        let mut rng = rng_for(config.seed, WON, i as u64);
        let Some((first_day, first_cents)) = first.get(i).copied().flatten() else {
            continue;
        };
        if first_day < from || !rng.random_bool(FROM_LEADS) {
            continue;
        }
        // Where the customer's first year ranks, 0 (smallest) to 1.
        let spent = year_one.get(i).copied().unwrap_or(0);
        let q = ranked.partition_point(|&v| v < spent) as f64 / ranked.len().max(1) as f64;
        let weights: Vec<f64> = SOURCES
            .iter()
            .map(|&(_, _, tilt)| (tilt * (q - 0.5) * 4.0).exp())
            .collect();
        let (source, win_rate, _) = SOURCES[pick(&mut rng, &weights)];
        let owner = OWNERS[rng.random_range(0..OWNERS.len())];
        let steps = path(&mut rng, LeadStage::Won, 2);
        let days: u64 = steps.iter().map(|(_, g)| g).sum();
        let Some(created) = first_day.checked_sub_days(Days::new(days)) else {
            continue;
        };
        if created < start {
            continue;
        }
        let mut stages = dated(created, &steps, end + Days::new(1));
        // The won step is the first purchase, whatever the drawn gap.
        if let Some(last) = stages.last_mut() {
            *last = (LeadStage::Won, first_day);
        }
        leads.push(SynthLead {
            number: 0,
            key: p.key.clone(),
            owner,
            source,
            value: (first_cents / 100).max(1),
            stages,
            lost_reason: None,
        });
        // The lost leads that come with a win at this source's rate.
        let lost_per_won = (1.0 - win_rate) / win_rate;
        let n = lost_per_won.floor() as u32 + u32::from(rng.random_bool(lost_per_won.fract()));
        for _ in 0..n {
            if prospects.is_empty() {
                break;
            }
            let key = prospects[rng.random_range(0..prospects.len())];
            let owner = OWNERS[pick(&mut rng, &OWNER_LOST_WEIGHT)];
            let reached = rng.random_range(0..3usize);
            let steps = path(&mut rng, LeadStage::Lost, reached);
            let span = (end - from).num_days().max(1) as u64;
            let created = from + Days::new(rng.random_range(0..span));
            let reasons: Vec<f64> = LOST_REASONS.iter().map(|&(_, w)| f64::from(w)).collect();
            let reason = LOST_REASONS[pick(&mut rng, &reasons)].0;
            let drawn: f64 = value_of_lost.sample(&mut rng);
            let value = ((drawn / 10.0).round() * 10.0).max(50.0) as i64;
            let stages = dated(created, &steps, end);
            let lost = stages.last().is_some_and(|(s, _)| *s == LeadStage::Lost);
            leads.push(SynthLead {
                number: 0,
                key: key.to_string(),
                owner,
                source,
                value,
                stages,
                lost_reason: lost.then_some(reason),
            });
        }
    }
    leads.retain(|l| !l.stages.is_empty());
    let created = |l: &SynthLead| l.stages.first().map(|(_, d)| *d);
    leads.sort_by(|a, b| (created(a), &a.key, a.value).cmp(&(created(b), &b.key, b.value)));
    for (n, l) in leads.iter_mut().enumerate() {
        l.number = u32::try_from(n + 1).unwrap_or(u32::MAX);
    }
    Ok(leads)
}
