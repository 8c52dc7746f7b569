// Campaign results: what a campaign changed against the group held out
// from it (documented in the crate's docs).

use std::collections::{BTreeMap, BTreeSet};

use crm_core::{Decimal, Interaction, InteractionKind, Ledger, Money, NaiveDate};
use crm_migration::{Movement, Source};
use crm_pyramid::Pyramid;
use crm_strategy::control_hash;

use crate::complaints::check_pyramid;
use crate::stats::share;
use crate::{Error, Result};

/// Options of a campaign measurement.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default, deny_unknown_fields))]
#[non_exhaustive]
pub struct CampaignOptions {
    /// Days after day 0 that still count (default 30).
    pub window_days: u32,
}

impl Default for CampaignOptions {
    fn default() -> Self {
        CampaignOptions { window_days: 30 }
    }
}

impl CampaignOptions {
    /// The defaults: a 30-day window.
    pub fn new() -> CampaignOptions {
        CampaignOptions::default()
    }

    /// Sets the window in days.
    #[must_use]
    pub fn window_days(mut self, days: u32) -> CampaignOptions {
        self.window_days = days;
        self
    }
}

/// What one customer of the campaign did in its window.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Member {
    /// The first send (treated) or `None` (control).
    sent: Option<NaiveDate>,
    cost: Money,
    bought: bool,
    revenue: Money,
}

/// A campaign measurement being fed (see the [crate docs](crate#campaign-results)).
///
/// ```
/// use crm_core::{CustomerKey, Interaction, InteractionKind, Ledger, Money, NaiveDate};
/// use crm_ops::{CampaignMeasure, CampaignOptions};
///
/// let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
/// let k = |s| CustomerKey::new(s).unwrap();
/// let mut m = CampaignMeasure::new("spring", CampaignOptions::new());
/// for key in ["a", "b"] {
///     let send = Interaction::new(k(key), d(3, 1), InteractionKind::CampaignSent).with_campaign("spring");
///     m.add_interaction(&send).unwrap();
/// }
/// m.set_control(["c", "d"]);
/// m.add_sale("a", d(3, 31), Money::from(100)).unwrap(); // day 30: in the window
/// m.add_sale("b", d(4, 1), Money::from(100)).unwrap(); // day 31: not
/// m.add_sale("c", d(3, 10), Money::from(40)).unwrap();
/// let r = m.finish(&Ledger::new([]), None, None).unwrap();
/// assert_eq!((r.treated.customers, r.treated.buyers, r.control.customers, r.control.buyers), (2, 1, 2, 1));
/// assert_eq!(r.treated.revenue_per_customer, Some(Money::from(50)));
/// assert_eq!(r.control.revenue_per_customer, Some(Money::from(20)));
/// ```
#[derive(Debug, Clone)]
pub struct CampaignMeasure {
    campaign: String,
    options: CampaignOptions,
    members: BTreeMap<String, Member>,
    /// Response dates of every customer with a response (few).
    responses: BTreeMap<String, Vec<NaiveDate>>,
    control: BTreeSet<String>,
    control_with_send: u64,
    sends: u64,
    first: Option<NaiveDate>,
}

/// The figures of one group.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct GroupResult {
    /// Customers in the group.
    pub customers: u64,
    /// Of them, those who responded.
    pub responders: u64,
    /// Of them, those who bought in their window.
    pub buyers: u64,
    /// `responders / customers`.
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str::option"))]
    pub response_rate: Option<Decimal>,
    /// Revenue in the windows.
    pub revenue: Money,
    /// `revenue / customers`, rounded to cents.
    pub revenue_per_customer: Option<Money>,
    /// Movement between the pyramids before and after: customers per
    /// movement (`new`, `reactivated`, `up`, `stayed`, `down`, `lapsed`,
    /// `other`, also for customers in neither pyramid), and `left` for
    /// those in the earlier pyramid but not the later one.
    pub movement: BTreeMap<&'static str, u64>,
}

/// A difference treated − control with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Uplift {
    /// The difference.
    pub estimate: f64,
    /// The lower end of the 95% interval.
    pub low: f64,
    /// The upper end.
    pub high: f64,
}

/// What a campaign changed.
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct CampaignResult {
    /// The campaign.
    pub campaign: String,
    /// The window in days.
    pub window_days: u32,
    /// The first and last send.
    pub first_send: Option<NaiveDate>,
    /// The last send.
    pub last_send: Option<NaiveDate>,
    /// Send interactions of the campaign (a customer may have several).
    pub sends: u64,
    /// The treated customers (with a send).
    pub treated: GroupResult,
    /// The control customers (on the list, without a send).
    pub control: GroupResult,
    /// Control customers who had a send anyway (counted as treated).
    pub control_with_send: u64,
    /// Whether every control customer hashes below every treated one, as
    /// when `crm actions --control` held them out for this campaign; false
    /// says the list is of another campaign or another selection.
    pub control_matches_campaign: bool,
    /// Uplift of the response rate (a difference of shares).
    pub response_uplift: Option<Uplift>,
    /// Uplift of revenue per customer (money, as a float for the
    /// interval).
    pub revenue_uplift: Option<Uplift>,
    /// The summed cost of the sends, when any send has a cost.
    pub cost: Option<Money>,
    /// `cost / treated responders`.
    pub cost_per_response: Option<Money>,
    /// `cost / (response uplift × treated)`, when the uplift is positive.
    pub cost_per_extra_response: Option<Money>,
}

fn window_contains(day0: NaiveDate, window: u32, d: NaiveDate) -> bool {
    d >= day0 && (d - day0).num_days() <= i64::from(window)
}

impl CampaignMeasure {
    /// A measurement of `campaign`.
    pub fn new(campaign: impl Into<String>, options: CampaignOptions) -> CampaignMeasure {
        CampaignMeasure {
            campaign: campaign.into(),
            options,
            members: BTreeMap::new(),
            responses: BTreeMap::new(),
            control: BTreeSet::new(),
            control_with_send: 0,
            sends: 0,
            first: None,
        }
    }

    /// Takes one interaction: a send of this campaign makes its customer
    /// treated; a response (of this campaign or of none) is kept; anything
    /// else is ignored.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when the summed cost of a customer's sends
    /// leaves the range of an amount.
    pub fn add_interaction(&mut self, i: &Interaction) -> Result<()> {
        let ours = i.campaign.as_deref() == Some(self.campaign.as_str());
        match i.kind {
            InteractionKind::CampaignSent if ours => {
                self.sends += 1;
                let m = self
                    .members
                    .entry(i.customer.as_str().to_string())
                    .or_default();
                m.sent = Some(m.sent.map_or(i.date, |d| d.min(i.date)));
                self.first = Some(self.first.map_or(i.date, |d| d.min(i.date)));
                if let Some(c) = i.cost {
                    m.cost = m.cost.checked_add(c).ok_or(Error::Overflow {
                        what: "cost of the sends",
                    })?;
                }
            }
            InteractionKind::CampaignResponse if ours || i.campaign.is_none() => {
                let v = self
                    .responses
                    .entry(i.customer.as_str().to_string())
                    .or_default();
                v.push(i.date);
            }
            _ => {}
        }
        Ok(())
    }

    /// The first send of the campaign so far: the control group's day 0.
    pub fn first_send(&self) -> Option<NaiveDate> {
        self.first
    }

    /// Sets the control group (keys; repeated keys count once).
    pub fn set_control<'a>(&mut self, keys: impl IntoIterator<Item = &'a str>) {
        self.control = keys.into_iter().map(str::to_string).collect();
    }

    /// Takes one sale: counted when its customer is in the campaign and
    /// its date is in the customer's window. Call after every send and
    /// the control group are in.
    ///
    /// # Errors
    ///
    /// [`Error::Overflow`] when a customer's revenue leaves the range of
    /// an amount.
    pub fn add_sale(&mut self, key: &str, date: NaiveDate, revenue: Money) -> Result<()> {
        let first = self.first;
        let day0 = match self.members.get(key).and_then(|m| m.sent) {
            Some(d) => Some(d),
            None if self.control.contains(key) => first,
            None => None,
        };
        let Some(day0) = day0 else {
            return Ok(());
        };
        if !window_contains(day0, self.options.window_days, date) {
            return Ok(());
        }
        let m = self.members.entry(key.to_string()).or_default();
        m.revenue = m.revenue.checked_add(revenue).ok_or(Error::Overflow {
            what: "revenue in the campaign window",
        })?;
        if revenue.is_positive() {
            m.bought = true;
        }
        Ok(())
    }

    /// The result, with the movement between `before` and `after` (the
    /// pyramids of the periods before and after the campaign, of `ledger`).
    ///
    /// # Errors
    ///
    /// [`Error::Mismatch`] when a pyramid is not of `ledger`.
    pub fn finish(
        mut self,
        ledger: &Ledger,
        before: Option<&Pyramid>,
        after: Option<&Pyramid>,
    ) -> Result<CampaignResult> {
        for p in [before, after].into_iter().flatten() {
            check_pyramid(ledger, p)?;
        }
        let first = self.first;
        let last = self.members.values().filter_map(|m| m.sent).max();
        let window = self.options.window_days;
        self.control_with_send = self
            .control
            .iter()
            .filter(|k| self.members.get(*k).is_some_and(|m| m.sent.is_some()))
            .count() as u64;
        let mut treated = Acc::default();
        let mut control = Acc::default();
        let (mut max_control, mut min_treated) = (None::<u128>, None::<u128>);
        let mut cost: Option<Money> = None;
        for (key, m) in &self.members {
            let is_control = m.sent.is_none() && self.control.contains(key);
            let day0 = match (m.sent, is_control) {
                (Some(d), _) => d,
                (None, true) => match first {
                    Some(f) => f,
                    None => continue,
                },
                (None, false) => continue,
            };
            let responded = m.bought
                || self
                    .responses
                    .get(key)
                    .is_some_and(|v| v.iter().any(|&d| window_contains(day0, window, d)));
            let h = control_hash(&self.campaign, key);
            let (acc, bound) = if is_control {
                (&mut control, &mut max_control)
            } else {
                cost = Some(cost.unwrap_or(Money::ZERO).checked_add(m.cost).ok_or(
                    Error::Overflow {
                        what: "cost of the sends",
                    },
                )?);
                (&mut treated, &mut min_treated)
            };
            *bound = Some(match (*bound, is_control) {
                (Some(b), true) => b.max(h),
                (Some(b), false) => b.min(h),
                (None, _) => h,
            });
            acc.add(ledger, before, after, key, responded, m)?;
        }
        // Control customers with no sale and no send are not in `members`.
        let first_known = first.is_some();
        for key in &self.control {
            if self.members.contains_key(key) || !first_known {
                continue;
            }
            let responded = first.is_some_and(|day0| {
                self.responses
                    .get(key)
                    .is_some_and(|v| v.iter().any(|&d| window_contains(day0, window, d)))
            });
            let h = control_hash(&self.campaign, key);
            max_control = Some(max_control.map_or(h, |b| b.max(h)));
            control.add(ledger, before, after, key, responded, &Member::default())?;
        }
        let t = treated.result();
        let c = control.result();
        let response_uplift = newcombe(t.responders, t.customers, c.responders, c.customers);
        let revenue_uplift = welch(&treated.revenues, &control.revenues);
        let cost = cost.filter(|_| self.members.values().any(|m| !m.cost.is_zero()));
        let cost_per = |n: Decimal| -> Option<Money> {
            let c = cost?;
            (n > Decimal::ZERO)
                .then(|| c.as_decimal().checked_div(n))
                .flatten()
                .map(|d| Money::new(d).round_dp(crm_core::MONEY_AVERAGE_DECIMALS))
                .map(|m| Money::new(m.as_decimal().normalize()))
        };
        let extra = response_uplift.and_then(|u| {
            (u.estimate > 0.0)
                .then(|| Decimal::try_from(u.estimate * t.customers as f64).ok())
                .flatten()
        });
        Ok(CampaignResult {
            campaign: self.campaign.clone(),
            window_days: window,
            first_send: first,
            last_send: last,
            sends: self.sends,
            cost_per_response: cost_per(Decimal::from(t.responders)),
            cost_per_extra_response: extra.and_then(cost_per),
            treated: t,
            control: c,
            control_with_send: self.control_with_send,
            control_matches_campaign: match (max_control, min_treated) {
                (Some(c), Some(t)) => c < t,
                _ => true,
            },
            response_uplift,
            revenue_uplift,
            cost,
        })
    }
}

/// A group being summed.
#[derive(Debug, Default)]
struct Acc {
    customers: u64,
    responders: u64,
    buyers: u64,
    revenue: Money,
    revenues: Vec<f64>,
    movement: BTreeMap<&'static str, u64>,
}

impl Acc {
    fn add(
        &mut self,
        ledger: &Ledger,
        before: Option<&Pyramid>,
        after: Option<&Pyramid>,
        key: &str,
        responded: bool,
        m: &Member,
    ) -> Result<()> {
        self.customers += 1;
        self.responders += u64::from(responded);
        self.buyers += u64::from(m.bought);
        self.revenue = self.revenue.checked_add(m.revenue).ok_or(Error::Overflow {
            what: "revenue of a campaign group",
        })?;
        self.revenues
            .push(m.revenue.as_decimal().to_string().parse().unwrap_or(0.0));
        if let (Some(b), Some(a)) = (before, after) {
            let id = ledger.id(key);
            let from = id
                .map(|id| b.level_of(id))
                .transpose()?
                .flatten()
                .map_or(Source::New, Source::Level);
            let to = id.map(|id| a.level_of(id)).transpose()?.flatten();
            let name = match (to, from) {
                (Some(to), _) => movement_name(Movement::of(from, to)),
                (None, Source::New) => "other",
                (None, _) => "left",
            };
            *self.movement.entry(name).or_default() += 1;
        }
        Ok(())
    }

    fn result(&self) -> GroupResult {
        GroupResult {
            customers: self.customers,
            responders: self.responders,
            buyers: self.buyers,
            response_rate: share(self.responders, self.customers),
            revenue: self.revenue,
            revenue_per_customer: crm_core::average(self.revenue, self.customers),
            movement: self.movement.clone(),
        }
    }
}

fn movement_name(m: Movement) -> &'static str {
    match m {
        Movement::New => "new",
        Movement::Reactivated => "reactivated",
        Movement::Up => "up",
        Movement::Stayed => "stayed",
        Movement::Down => "down",
        Movement::Lapsed => "lapsed",
        _ => "other",
    }
}

/// The 97.5% quantile of the standard normal distribution.
const Z: f64 = 1.959_963_984_540_054;

/// Wilson's score interval of `x` of `n` at 95%.
pub fn wilson(x: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (x, n) = (x as f64, n as f64);
    let p = x / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// Newcombe's hybrid score interval of `x1/n1 − x2/n2` at 95%.
pub fn newcombe(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<Uplift> {
    let (l1, u1) = wilson(x1, n1)?;
    let (l2, u2) = wilson(x2, n2)?;
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let d = p1 - p2;
    Some(Uplift {
        estimate: d,
        low: d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
        high: d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
    })
}

/// The 97.5% quantile of Student's t with `df` degrees of freedom: exact
/// for 1 and 2 or fewer, the Cornish–Fisher expansion above.
pub fn t_quantile(df: f64) -> f64 {
    if !df.is_finite() {
        return Z;
    }
    if df <= 1.0 {
        return 12.706_204_736_174_7;
    }
    if df <= 2.0 {
        return 4.302_652_729_749_464;
    }
    let z = Z;
    let g1 = (z.powi(3) + z) / 4.0;
    let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
    let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
    let g4 = (79.0 * z.powi(9) + 776.0 * z.powi(7) + 1482.0 * z.powi(5)
        - 1920.0 * z.powi(3)
        - 945.0 * z)
        / 92160.0;
    z + g1 / df + g2 / df.powi(2) + g3 / df.powi(3) + g4 / df.powi(4)
}

/// Welch's interval of `mean(a) − mean(b)` at 95%; `None` with fewer than
/// two values in a group.
pub fn welch(a: &[f64], b: &[f64]) -> Option<Uplift> {
    let stats = |v: &[f64]| -> Option<(f64, f64, f64)> {
        if v.len() < 2 {
            return None;
        }
        let n = v.len() as f64;
        let mean = v.iter().sum::<f64>() / n;
        let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Some((mean, var, n))
    };
    let (m1, v1, n1) = stats(a)?;
    let (m2, v2, n2) = stats(b)?;
    let (s1, s2) = (v1 / n1, v2 / n2);
    let se = (s1 + s2).sqrt();
    let d = m1 - m2;
    if se == 0.0 {
        return Some(Uplift {
            estimate: d,
            low: d,
            high: d,
        });
    }
    let df = (s1 + s2).powi(2) / (s1 * s1 / (n1 - 1.0) + s2 * s2 / (n2 - 1.0));
    let t = t_quantile(df);
    Some(Uplift {
        estimate: d,
        low: d - t * se,
        high: d + t * se,
    })
}
