//! Deterministic, realistic example data for the `crm` toolkit: a
//! customer base with heavy-tailed spend, churn driven by contact and
//! complaint handling, credit notes, a register with prospects and
//! suspects, and interactions including complaints.
//!
//! Most users want the `crm` facade crate (`crm::synth`, feature `synth`)
//! or the `crm generate` command. The same configuration and seed give the
//! same data, byte for byte, on every machine (the generator is a seeded
//! PCG per customer, and nothing depends on the number of threads).
//!
//! ```
//! use crm_synth::{generate, SynthConfig};
//!
//! let data = generate(&SynthConfig::new(200).years(3).seed(7))?;
//! assert!(data.transactions.len() > 200);
//! assert_eq!(data, generate(&SynthConfig::new(200).years(3).seed(7))?);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The model
//!
//! Each customer is acquired on a uniform day of the window, buys at a
//! gamma-distributed yearly rate with exponential gaps and spends a
//! log-normal amount per year (median about 700, a long tail of large
//! accounts), for as long as the relationship lasts. Three purchases in a
//! hundred are followed by a credit note for part of the amount. Margins
//! are 15-45% of revenue per customer.
//!
//! The relationship is lived month by month, and it is what the Customer
//! Marketing Method says it is: customers mostly leave out of
//! indifference, so contact and complaint handling change churn.
//!
//! - Contact: a third of the customers are neglected (a contact about
//!   every three years), the others are called, mailed and visited two to
//!   six times a year. A customer with no contact for 180 days drifts: its
//!   churn hazard is five times the usual 10% a year.
//! - Complaints: 6% of customers a year complain. Three complaints in four
//!   are heard (resolved within two weeks), and a heard complainer's hazard
//!   is halved for a year: most stay. An unheard complainer leaves within
//!   four months with probability 60%, and otherwise carries three times
//!   the hazard for a year.
//!
//! On the shipped example data (2,000 customers, 2021-2025) this shows: of
//! the customers active in a year, about 84% of those contacted that year
//! buy again the next year against 69% of those not contacted; of the
//! complainers, about 89% of the heard against 36% of the unheard.
//!
//! - A campaign: on the first Monday of March of the last year, an e-mail
//!   campaign (`spring-<year>`) goes to the customers with e-mail consent
//!   who bought in the year before; a fifth of them, those with the
//!   smallest campaign hash (as `crm actions --control 20%` holds them
//!   out), are the control group and get nothing. A treated customer buys
//!   once more within 30 days with probability 12% (half of them answer
//!   too), and 4% answer without buying: a real uplift to measure.
//!
//! Besides the customers the register holds prospects (30% of the customer
//! count, with interactions but no purchases) and suspects (20%, no
//! contact at all).
//!
//! [`generate_leads`] adds the road from lead to order: a quarter of the
//! customers acquired in the last three years came in through a lead,
//! with the lost and open leads of prospects beside them; sources differ
//! in win rate (referral, fair, web, cold call) and in the first-year
//! spend of the customers they bring, owners in win rate. Its random
//! numbers come from streams of their own.

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_debug_implementations)]

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use crm_core::{Datelike, Days, InteractionKind, Money, NaiveDate, Stage};
use rand::{Rng, SeedableRng};
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Poisson};
use rand_pcg::Pcg64Mcg;

mod leads;

pub use leads::{SynthLead, generate_leads};

/// Why data could not be generated or written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A configuration value is out of range.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A file could not be written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SynthConfig {
    /// Customers (parties that buy). Default 1,000.
    pub customers: u32,
    /// Calendar years of history, ending with `last_year`. Default 5.
    pub years: u32,
    /// The last year of history. Default 2025.
    pub last_year: i32,
    /// The seed. Default 1.
    pub seed: u64,
}

impl Default for SynthConfig {
    fn default() -> SynthConfig {
        SynthConfig {
            customers: 1000,
            years: 5,
            last_year: 2025,
            seed: 1,
        }
    }
}

impl SynthConfig {
    /// The defaults with `customers` customers.
    pub fn new(customers: u32) -> SynthConfig {
        SynthConfig {
            customers,
            ..SynthConfig::default()
        }
    }

    /// Sets the number of years.
    #[must_use]
    pub fn years(mut self, years: u32) -> SynthConfig {
        self.years = years;
        self
    }

    /// Sets the last year.
    #[must_use]
    pub fn last_year(mut self, year: i32) -> SynthConfig {
        self.last_year = year;
        self
    }

    /// Sets the seed.
    #[must_use]
    pub fn seed(mut self, seed: u64) -> SynthConfig {
        self.seed = seed;
        self
    }

    fn window(&self) -> Result<(NaiveDate, NaiveDate)> {
        if self.years == 0 || self.years > 100 {
            return Err(Error::Config(format!(
                "years must be 1 to 100, not {}",
                self.years
            )));
        }
        let first = self
            .last_year
            .checked_sub(self.years as i32 - 1)
            .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1));
        let end = self
            .last_year
            .checked_add(1)
            .and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1));
        match (first, end) {
            (Some(a), Some(b)) if (1900..=9000).contains(&self.last_year) => Ok((a, b)),
            _ => Err(Error::Config(format!(
                "last year {} is out of range",
                self.last_year
            ))),
        }
    }
}

/// One generated transaction; amounts in cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthTransaction {
    /// Index of the customer (see [`customer_key`]).
    pub customer: u32,
    /// Sequence number, unique in the data set.
    pub id: u64,
    /// The date.
    pub date: NaiveDate,
    /// Revenue in cents (negative for a credit note).
    pub revenue_cents: i64,
    /// Margin in cents.
    pub margin_cents: i64,
}

impl SynthTransaction {
    /// Revenue as money.
    pub fn revenue(&self) -> Money {
        Money::from_minor(self.revenue_cents, 2)
    }

    /// Margin as money.
    pub fn margin(&self) -> Money {
        Money::from_minor(self.margin_cents, 2)
    }
}

/// One generated register entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthParty {
    /// The key.
    pub key: String,
    /// Register stage.
    pub stage: Stage,
    /// Segment.
    pub segment: &'static str,
    /// Region.
    pub region: &'static str,
    /// Acquisition date (customers only).
    pub acquired: Option<NaiveDate>,
    /// Yearly potential in cents.
    pub potential_cents: i64,
    /// Consent for e-mail, phone, post.
    pub consent: [bool; 3],
}

/// One generated interaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthInteraction {
    /// The party's key.
    pub key: String,
    /// The date.
    pub date: NaiveDate,
    /// The kind.
    pub kind: InteractionKind,
    /// Cost in cents.
    pub cost_cents: i64,
    /// Whether it is a send of the data set's campaign ([`campaign_name`])
    /// or an answer to it. A flag, not the name: it fits in the padding,
    /// so the campaign costs no memory per interaction.
    pub campaign: bool,
}

/// A generated data set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dataset {
    /// Transactions sorted by date, then id.
    pub transactions: Vec<SynthTransaction>,
    /// The register: customers, prospects, suspects.
    pub parties: Vec<SynthParty>,
    /// Interactions sorted by date, then key.
    pub interactions: Vec<SynthInteraction>,
    /// The keys of the campaign's control group ([`campaign_name`]),
    /// sorted.
    pub campaign_control: Vec<String>,
}

impl Dataset {
    /// The keys of the customers, by index: `keys[t.customer]` is the key
    /// of transaction `t`'s customer.
    pub fn customer_keys(&self) -> Vec<String> {
        self.parties
            .iter()
            .filter(|p| p.stage == Stage::Customer)
            .map(|p| p.key.clone())
            .collect()
    }

    /// The transactions as sales for [`Ledger::record_sales`](crm_core::Ledger::record_sales),
    /// borrowing `keys` from [`Dataset::customer_keys`].
    pub fn sales<'a>(&'a self, keys: &'a [String]) -> Vec<crm_core::Sale<'a>> {
        self.transactions
            .iter()
            .map(|t| crm_core::Sale {
                key: &keys[t.customer as usize],
                date: t.date,
                revenue: t.revenue(),
                margin: Some(t.margin()),
            })
            .collect()
    }
}

/// The key of customer `index`: `C0000001` for index 0.
pub fn customer_key(index: u32) -> String {
    format!("C{:07}", u64::from(index) + 1)
}

const SEGMENTS: [&str; 5] = ["retail", "wholesale", "industry", "services", "public"];
const REGIONS: [&str; 4] = ["north", "south", "east", "west"];

fn rng_for(seed: u64, stream: u64, index: u64) -> Pcg64Mcg {
    // splitmix64 of the triple, so neighbouring indices get unrelated streams.
    let mut z = seed
        ^ stream.wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ index.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    Pcg64Mcg::seed_from_u64(z)
}

fn day_in(rng: &mut Pcg64Mcg, start: NaiveDate, days: u64) -> NaiveDate {
    start + Days::new(rng.random_range(0..days.max(1)))
}

fn dist<T>(r: std::result::Result<T, impl std::fmt::Debug>) -> T {
    r.expect("constant distribution parameters are valid")
}

/// How a generated customer is looked after: the behaviour that the
/// method says changes churn.
mod care {
    /// Yearly churn hazard of a customer who is contacted and satisfied:
    /// a mean relationship of ten years.
    pub const BASE_HAZARD: f64 = 0.10;
    /// The hazard is this many times higher while the customer has had no
    /// contact for `DRIFT_DAYS` (indifference: the customer drifts away).
    pub const DRIFT_FACTOR: f64 = 5.0;
    /// Days without any contact after which a customer drifts.
    pub const DRIFT_DAYS: i64 = 180;
    /// Share of customers nobody looks after: contacted about once every
    /// three years, when at all.
    pub const NEGLECTED: f64 = 0.35;
    /// Yearly contact rate of a neglected customer.
    pub const NEGLECTED_RATE: f64 = 0.3;
    /// Yearly contact rates of the others, uniform in this range.
    pub const CARED_RATE: (f64, f64) = (2.0, 6.0);
    /// Yearly probability of a complaint while a customer.
    pub const COMPLAINT_RATE: f64 = 0.06;
    /// Share of complaints that are heard (resolved, within two weeks).
    pub const HEARD: f64 = 0.75;
    /// A heard complainer's hazard is this share of the usual one for a
    /// year (a problem solved well binds the customer).
    pub const HEARD_FACTOR: f64 = 0.5;
    /// Probability that an unheard complainer leaves within 30 to 120 days.
    pub const UNHEARD_LEAVE: f64 = 0.6;
    /// The hazard of an unheard complainer who stays, for a year.
    pub const UNHEARD_FACTOR: f64 = 3.0;
}

/// Generates a data set.
///
/// # Errors
///
/// [`Error::Config`] for zero or more than 100 years, or a last year
/// outside 1900..=9000.
pub fn generate(config: &SynthConfig) -> Result<Dataset> {
    let (start, end) = config.window()?;
    let span = (end - start).num_days() as u64;
    let spend = dist(LogNormal::new(6.3, 1.5));
    let noise = dist(LogNormal::new(0.0, 0.45));
    let rate = dist(Gamma::new(1.6, 3.0));

    let mut transactions = Vec::new();
    let mut parties = Vec::new();
    let mut interactions = Vec::new();
    let mut seq = 0u64;
    for i in 0..config.customers {
        let mut rng = rng_for(config.seed, 1, u64::from(i));
        let key = customer_key(i);
        let acquired = day_in(&mut rng, start, span);
        let yearly: f64 = spend.sample(&mut rng);
        let per_year: f64 = rate.sample(&mut rng) + 0.3;
        let margin_rate = rng.random_range(0.15..0.45);
        let contact_rate = if rng.random_bool(care::NEGLECTED) {
            care::NEGLECTED_RATE
        } else {
            rng.random_range(care::CARED_RATE.0..care::CARED_RATE.1)
        };
        let leaves = relationship(
            &key,
            acquired,
            end,
            contact_rate,
            &mut rng,
            &mut interactions,
        );
        let stop = leaves.min(end);
        let mean_order = yearly / per_year;
        let gap = dist(Exp::new(per_year / 365.25));
        let mut day = acquired;
        while day < stop {
            let amount = (mean_order * noise.sample(&mut rng) * 100.0)
                .round()
                .max(1.0) as i64;
            let margin = (amount as f64 * margin_rate).round() as i64;
            seq += 1;
            transactions.push(SynthTransaction {
                customer: i,
                id: seq,
                date: day,
                revenue_cents: amount,
                margin_cents: margin,
            });
            if rng.random_bool(0.03) {
                let back = day + Days::new(rng.random_range(1..30));
                if back < end {
                    let share = rng.random_range(0.1..1.0);
                    seq += 1;
                    transactions.push(SynthTransaction {
                        customer: i,
                        id: seq,
                        date: back,
                        revenue_cents: -((amount as f64 * share).round() as i64).max(1),
                        margin_cents: -((margin as f64 * share).round() as i64),
                    });
                }
            }
            day = day + Days::new(gap.sample(&mut rng).ceil().max(1.0) as u64);
        }
        parties.push(party(
            key,
            Stage::Customer,
            Some(acquired),
            yearly * rng.random_range(1.2..4.0),
            &mut rng,
        ));
    }
    let prospects = config.customers / 10 * 3;
    for i in 0..prospects {
        let mut rng = rng_for(config.seed, 2, u64::from(i));
        let key = format!("P{:07}", u64::from(i) + 1);
        for _ in 0..rng.random_range(1..4) {
            let date = day_in(&mut rng, start, span);
            let kind = match rng.random_range(0..4) {
                0 => InteractionKind::Call,
                1 => InteractionKind::Email,
                2 => InteractionKind::Quote,
                _ => InteractionKind::CampaignResponse,
            };
            interactions.push(interaction(&key, date, kind, &mut rng));
        }
        let potential = spend.sample(&mut rng);
        parties.push(party(key, Stage::Prospect, None, potential, &mut rng));
    }
    let suspects = config.customers / 5;
    for i in 0..suspects {
        let mut rng = rng_for(config.seed, 3, u64::from(i));
        let potential = spend.sample(&mut rng);
        parties.push(party(
            format!("S{:07}", u64::from(i) + 1),
            Stage::Suspect,
            None,
            potential,
            &mut rng,
        ));
    }
    let campaign_control = campaign(
        config,
        &parties,
        &mut transactions,
        &mut interactions,
        &mut seq,
    );
    transactions.sort_unstable_by_key(|t| (t.date, t.id));
    interactions.sort_by(|a, b| (a.date, &a.key).cmp(&(b.date, &b.key)));
    Ok(Dataset {
        transactions,
        parties,
        interactions,
        campaign_control,
    })
}

/// The campaign of the generated data: one e-mail campaign on the first
/// Monday of March of the last year.
mod offer {
    /// Share of the selection held out as the control group.
    pub const CONTROL: f64 = 0.2;
    /// Probability that a treated customer buys because of the campaign
    /// (on top of what it would have bought anyway) within the window.
    pub const EXTRA_PURCHASE: f64 = 0.12;
    /// Of those, the share who also answer the campaign.
    pub const ANSWER: f64 = 0.5;
    /// Probability that a treated customer answers without buying.
    pub const ANSWER_ONLY: f64 = 0.04;
    /// Days after the send in which the effect falls.
    pub const WINDOW: u64 = 30;
    /// Cost of one send, in cents.
    pub const SEND_CENTS: i64 = 35;
}

/// The campaign's name for `config`: `spring-<last year>`.
pub fn campaign_name(config: &SynthConfig) -> String {
    format!("spring-{}", config.last_year)
}

/// Sends one campaign to the customers with e-mail consent who bought in
/// the year before it, holding out a control group by the campaign hash of
/// `crm actions --control` (the selected customers with the smallest
/// hashes), and gives the treated a real uplift: extra purchases and
/// answers in the 30 days after the send. Draws from its own random
/// stream, so the rest of the data does not change with it. Returns the
/// control group.
fn campaign(
    config: &SynthConfig,
    parties: &[SynthParty],
    transactions: &mut Vec<SynthTransaction>,
    interactions: &mut Vec<SynthInteraction>,
    seq: &mut u64,
) -> Vec<String> {
    let name = campaign_name(config);
    let Some(march) = NaiveDate::from_ymd_opt(config.last_year, 3, 1) else {
        return Vec::new();
    };
    let send = (0..7)
        .map(|d| march + Days::new(d))
        .find(|d| d.weekday().num_days_from_monday() == 0)
        .unwrap_or(march);
    let year_before = send - Days::new(365);
    // Per customer: orders and revenue in the year before the send.
    let mut past = vec![(0u32, 0i64); config.customers as usize];
    for t in transactions.iter() {
        if t.date >= year_before
            && t.date < send
            && t.revenue_cents > 0
            && let Some(p) = past.get_mut(t.customer as usize)
        {
            p.0 += 1;
            p.1 += t.revenue_cents;
        }
    }
    let mut selected: Vec<(u128, u32)> = parties
        .iter()
        .take(config.customers as usize)
        .enumerate()
        .filter(|(i, p)| p.consent[0] && past.get(*i).is_some_and(|x| x.0 > 0))
        .map(|(i, p)| (crm_strategy::control_hash(&name, &p.key), i as u32))
        .collect();
    selected.sort_unstable();
    let held = (selected.len() as f64 * offer::CONTROL).round() as usize;
    let mut control: Vec<String> = selected
        .iter()
        .take(held)
        .map(|&(_, i)| customer_key(i))
        .collect();
    control.sort();
    for &(_, i) in selected.iter().skip(held) {
        let mut rng = rng_for(config.seed, 7, u64::from(i));
        let key = customer_key(i);
        interactions.push(SynthInteraction {
            key: key.clone(),
            date: send,
            kind: InteractionKind::CampaignSent,
            cost_cents: offer::SEND_CENTS,
            campaign: true,
        });
        let answer = |date, rng: &mut Pcg64Mcg| {
            let mut a = interaction(&key, date, InteractionKind::CampaignResponse, rng);
            a.campaign = true;
            a
        };
        if rng.random_bool(offer::EXTRA_PURCHASE) {
            let date = send + Days::new(rng.random_range(0..=offer::WINDOW));
            let (n, sum) = past.get(i as usize).copied().unwrap_or((1, 10_000));
            let amount = (sum / i64::from(n.max(1))).max(100);
            *seq += 1;
            transactions.push(SynthTransaction {
                customer: i,
                id: *seq,
                date,
                revenue_cents: amount,
                margin_cents: amount / 4,
            });
            if rng.random_bool(offer::ANSWER) {
                interactions.push(answer(date, &mut rng));
            }
        } else if rng.random_bool(offer::ANSWER_ONLY) {
            let date = send + Days::new(rng.random_range(0..=offer::WINDOW));
            interactions.push(answer(date, &mut rng));
        }
    }
    control
}

/// Lives one customer's relationship from `acquired`, month by month,
/// until it leaves (or the window ends): contacts at the customer's rate,
/// complaints now and then, heard or not, and the churn hazard they set.
/// Records the interactions; returns the day the customer leaves (after
/// `end` when it stays).
fn relationship(
    key: &str,
    acquired: NaiveDate,
    end: NaiveDate,
    contact_rate: f64,
    rng: &mut Pcg64Mcg,
    out: &mut Vec<SynthInteraction>,
) -> NaiveDate {
    const MONTH: i64 = 30;
    let contacts_per_month = dist(Poisson::new(contact_rate * MONTH as f64 / 365.25));
    let mut last_contact = acquired; // the sale that made it a customer
    // Until this day the hazard is scaled by `factor` (a complaint's effect).
    let (mut factor, mut factor_until) = (1.0, acquired);
    let mut month = acquired;
    while month < end {
        let next = month + Days::new(MONTH as u64);
        // Contacts this month, at the customer's rate.
        let n = contacts_per_month.sample(rng) as u32;
        let mut contacts: Vec<NaiveDate> =
            (0..n).map(|_| day_in(rng, month, MONTH as u64)).collect();
        contacts.sort_unstable();
        for date in contacts.into_iter().filter(|d| *d < end) {
            let kind = match rng.random_range(0..10) {
                0..=2 => InteractionKind::Call,
                3..=4 => InteractionKind::Email,
                5 => InteractionKind::Visit,
                6 => InteractionKind::Meeting,
                7 => InteractionKind::Quote,
                8 => InteractionKind::CampaignResponse,
                _ => InteractionKind::Other,
            };
            out.push(interaction(key, date, kind, rng));
            last_contact = last_contact.max(date);
        }
        if rng.random_bool(care::COMPLAINT_RATE * MONTH as f64 / 365.25) {
            let date = day_in(rng, month, MONTH as u64);
            if date < end {
                out.push(interaction(key, date, InteractionKind::Complaint, rng));
                if rng.random_bool(care::HEARD) {
                    let fixed = date + Days::new(rng.random_range(1..15));
                    if fixed < end {
                        out.push(interaction(
                            key,
                            fixed,
                            InteractionKind::ComplaintResolved,
                            rng,
                        ));
                        last_contact = last_contact.max(fixed);
                    }
                    (factor, factor_until) = (care::HEARD_FACTOR, fixed + Days::new(365));
                } else if rng.random_bool(care::UNHEARD_LEAVE) {
                    return date + Days::new(rng.random_range(30..120));
                } else {
                    (factor, factor_until) = (care::UNHEARD_FACTOR, date + Days::new(365));
                }
            }
        }
        // The hazard of leaving this month: drifting without contact,
        // bound or pushed by how a complaint was handled.
        let drifting = (next - last_contact).num_days() > care::DRIFT_DAYS;
        let mut hazard = care::BASE_HAZARD;
        if drifting {
            hazard *= care::DRIFT_FACTOR;
        }
        if next <= factor_until {
            hazard *= factor;
        }
        if rng.random_bool((hazard * MONTH as f64 / 365.25).min(1.0)) {
            return day_in(rng, month, MONTH as u64).max(acquired + Days::new(1));
        }
        month = next;
    }
    end + Days::new(1)
}

fn interaction(
    key: &str,
    date: NaiveDate,
    kind: InteractionKind,
    rng: &mut Pcg64Mcg,
) -> SynthInteraction {
    let cost = match kind {
        InteractionKind::Visit | InteractionKind::Meeting => rng.random_range(8_000..25_000),
        InteractionKind::Call | InteractionKind::Complaint | InteractionKind::ComplaintResolved => {
            rng.random_range(1_000..4_000)
        }
        InteractionKind::Quote => rng.random_range(3_000..9_000),
        _ => rng.random_range(50..500),
    };
    SynthInteraction {
        key: key.to_string(),
        date,
        kind,
        cost_cents: cost,
        campaign: false,
    }
}

fn party(
    key: String,
    stage: Stage,
    acquired: Option<NaiveDate>,
    potential: f64,
    rng: &mut Pcg64Mcg,
) -> SynthParty {
    SynthParty {
        key,
        stage,
        segment: SEGMENTS[rng.random_range(0..SEGMENTS.len())],
        region: REGIONS[rng.random_range(0..REGIONS.len())],
        acquired,
        potential_cents: (potential * 100.0).round() as i64,
        consent: [
            rng.random_bool(0.7),
            rng.random_bool(0.5),
            rng.random_bool(0.9),
        ],
    }
}

/// Cents as a decimal amount: `-1230` is `-12.30`.
struct Cents(i64);

impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let a = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", a / 100, a % 100)
    }
}

/// What [`write_dataset`] wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Written {
    /// `transactions.csv`.
    pub transactions: PathBuf,
    /// `customers.csv`.
    pub customers: PathBuf,
    /// `interactions.csv`.
    pub interactions: PathBuf,
    /// `campaign_control.csv`: the control group of the campaign.
    pub campaign_control: PathBuf,
    /// Rows per file, in that order.
    pub rows: [usize; 4],
    /// `leads.csv`.
    pub leads: PathBuf,
    /// Rows of `leads.csv` (one per stage change).
    pub lead_rows: usize,
}

/// Generates a data set and writes it as `transactions.csv`
/// (`transaction_id,customer_id,date,revenue,margin`), `customers.csv`
/// (`customer_id,stage,name,segment,region,acquired,potential,consent_email,consent_phone,consent_post`)
/// `interactions.csv` (`customer_id,date,kind,cost,campaign`),
/// `campaign_control.csv` (`campaign,customer`: the campaign's control
/// group), and the leads of [`generate_leads`] as `leads.csv`, one row per
/// stage change (`lead_id,customer_id,stage,date,value,owner,source,lost_reason`),
/// into `dir`, which is created if needed.
///
/// # Errors
///
/// [`Error::Config`] as [`generate`]; [`Error::Io`] when a file cannot be
/// written.
pub fn write_dataset(config: &SynthConfig, dir: impl AsRef<Path>) -> Result<Written> {
    let dir = dir.as_ref();
    let data = generate(config)?;
    std::fs::create_dir_all(dir).map_err(|e| Error::Io {
        path: dir.to_path_buf(),
        source: e,
    })?;
    let out = Written {
        transactions: dir.join("transactions.csv"),
        customers: dir.join("customers.csv"),
        interactions: dir.join("interactions.csv"),
        campaign_control: dir.join("campaign_control.csv"),
        rows: [
            data.transactions.len(),
            data.parties.len(),
            data.interactions.len(),
            data.campaign_control.len(),
        ],
        leads: dir.join("leads.csv"),
        lead_rows: 0,
    };
    let mut out = out;
    let keys: Vec<String> = (0..config.customers).map(customer_key).collect();
    let name = campaign_name(config);
    write_file(&out.transactions, |w| {
        writeln!(w, "transaction_id,customer_id,date,revenue,margin")?;
        for t in &data.transactions {
            writeln!(
                w,
                "T{:09},{},{},{},{}",
                t.id,
                keys[t.customer as usize],
                t.date,
                Cents(t.revenue_cents),
                Cents(t.margin_cents)
            )?;
        }
        Ok(())
    })?;
    write_file(&out.customers, |w| {
        writeln!(
            w,
            "customer_id,stage,name,segment,region,acquired,potential,consent_email,consent_phone,consent_post"
        )?;
        let yn = |b: bool| if b { "yes" } else { "no" };
        for p in &data.parties {
            writeln!(
                w,
                "{},{},\"{} & Co, {}\",{},{},{},{},{},{},{}",
                p.key,
                p.stage,
                p.key,
                p.region,
                p.segment,
                p.region,
                p.acquired.map(|d| d.to_string()).unwrap_or_default(),
                Cents(p.potential_cents),
                yn(p.consent[0]),
                yn(p.consent[1]),
                yn(p.consent[2])
            )?;
        }
        Ok(())
    })?;
    write_file(&out.interactions, |w| {
        writeln!(w, "customer_id,date,kind,cost,campaign")?;
        for i in &data.interactions {
            writeln!(
                w,
                "{},{},{},{},{}",
                i.key,
                i.date,
                i.kind,
                Cents(i.cost_cents),
                if i.campaign { name.as_str() } else { "" }
            )?;
        }
        Ok(())
    })?;
    write_file(&out.campaign_control, |w| {
        writeln!(w, "campaign,customer")?;
        for key in &data.campaign_control {
            writeln!(w, "{name},{key}")?;
        }
        Ok(())
    })?;
    // The interactions are written: their memory goes to the leads.
    let mut data = data;
    data.interactions = Vec::new();
    out.lead_rows = write_leads(config, &data, &out.leads)?;
    Ok(out)
}

/// Writes the leads of `data` to `path`, one row per stage change;
/// returns the rows written.
fn write_leads(config: &SynthConfig, data: &Dataset, path: &Path) -> Result<usize> {
    let leads = generate_leads(config, data)?;
    let rows = leads.iter().map(|l| l.stages.len()).sum();
    write_file(path, |w| {
        writeln!(
            w,
            "lead_id,customer_id,stage,date,value,owner,source,lost_reason"
        )?;
        for l in &leads {
            let id = l.id();
            for (stage, date) in &l.stages {
                let reason = match stage {
                    crm_core::LeadStage::Lost => l.lost_reason.unwrap_or(""),
                    _ => "",
                };
                writeln!(
                    w,
                    "{},{},{},{},{},{},{},{}",
                    id, l.key, stage, date, l.value, l.owner, l.source, reason
                )?;
            }
        }
        Ok(())
    })?;
    Ok(rows)
}

/// Creates `path` and lets `fill` write to it through a buffer.
fn write_file(
    path: &Path,
    fill: impl FnOnce(&mut BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<()> {
    let io = |e| Error::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let f = std::fs::File::create(path).map_err(io)?;
    let mut w = BufWriter::with_capacity(1 << 20, f);
    fill(&mut w).map_err(io)?;
    w.flush().map_err(io)
}
