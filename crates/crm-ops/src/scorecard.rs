// The scorecard (documented in the crate's docs).

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use crm_core::{Decimal, Ledger, Money};
use crm_migration::{Migration, Movement, Source};
use crm_pyramid::{Level, Pyramid};
use crm_value::{Profitability, Wallet};

use crate::complaints::{ComplaintGroup, ComplaintReport, check_pyramid};
use crate::stats::share;
use crate::{Error, Result};

/// The share of wallet under which a Small customer counts as having a low
/// share (and room to develop): 30%, as in the default rulebook.
pub const LOW_WALLET_SHARE: Decimal = Decimal::from_parts(3, 0, 0, false, 1);

/// A figure of the scorecard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum FigureName {
    /// Share of the period's value from customers who bought before it.
    ExistingRevenueShare,
    /// Share of the value held by the top 20% of active customers.
    Top20RevenueShare,
    /// Share of the total profit made by the top 20% of the customers
    /// served, ranked by profit.
    Top20ProfitShare,
    /// Customers active in the previous period, not active in this one.
    CustomersLost,
    /// New plus reactivated minus lost customers.
    NetInflow,
    /// Share of the previous period's active customers active again.
    RetentionRate,
    /// Share of the customers active five years before the period who are
    /// not active in it.
    LostWithin5Years,
    /// Small customers with a share of wallet under [`LOW_WALLET_SHARE`].
    SmallLowWallet,
    /// Retention in this period of the previous period's complainers whose
    /// complaints were resolved by its end.
    HeardComplainerRetention,
    /// Retention in this period of the previous period's complainers with
    /// a complaint still open at its end.
    UnheardComplainerRetention,
    /// Share of the campaign's treated customers who responded.
    CampaignResponse,
    /// Average value of the customers new in the period.
    AverageValueNew,
    /// Average value of the customers active in both periods.
    AverageValueLoyal,
}

/// What a figure measures in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Unit {
    /// A share from 0 to 1 (or above, for a share of profit).
    Share,
    /// A count of customers (may be negative for a net inflow).
    Count,
    /// An amount of money.
    Money,
}

impl FigureName {
    /// Every figure, in scorecard order.
    pub const ALL: [FigureName; 13] = [
        FigureName::ExistingRevenueShare,
        FigureName::Top20RevenueShare,
        FigureName::Top20ProfitShare,
        FigureName::CustomersLost,
        FigureName::NetInflow,
        FigureName::RetentionRate,
        FigureName::LostWithin5Years,
        FigureName::SmallLowWallet,
        FigureName::HeardComplainerRetention,
        FigureName::UnheardComplainerRetention,
        FigureName::CampaignResponse,
        FigureName::AverageValueNew,
        FigureName::AverageValueLoyal,
    ];

    /// The name in plan files and JSON (`existing-revenue-share`).
    pub const fn as_str(self) -> &'static str {
        match self {
            FigureName::ExistingRevenueShare => "existing-revenue-share",
            FigureName::Top20RevenueShare => "top20-revenue-share",
            FigureName::Top20ProfitShare => "top20-profit-share",
            FigureName::CustomersLost => "customers-lost",
            FigureName::NetInflow => "net-inflow",
            FigureName::RetentionRate => "retention-rate",
            FigureName::LostWithin5Years => "lost-within-5-years",
            FigureName::SmallLowWallet => "small-low-wallet",
            FigureName::HeardComplainerRetention => "heard-complainer-retention",
            FigureName::UnheardComplainerRetention => "unheard-complainer-retention",
            FigureName::CampaignResponse => "campaign-response",
            FigureName::AverageValueNew => "average-value-new",
            FigureName::AverageValueLoyal => "average-value-loyal",
        }
    }

    /// The unit of the figure.
    pub const fn unit(self) -> Unit {
        match self {
            FigureName::CustomersLost | FigureName::NetInflow | FigureName::SmallLowWallet => {
                Unit::Count
            }
            FigureName::AverageValueNew | FigureName::AverageValueLoyal => Unit::Money,
            _ => Unit::Share,
        }
    }

    /// Whether more is better (the sign of a good gap): false for the
    /// customers lost, the share lost within five years and the Small
    /// customers with a low share of wallet.
    pub const fn higher_is_better(self) -> bool {
        !matches!(
            self,
            FigureName::CustomersLost | FigureName::LostWithin5Years | FigureName::SmallLowWallet
        )
    }

    /// The benchmark the method gives, if any.
    pub fn benchmark(self) -> Option<Benchmark> {
        let b = |percent: i64, direction| {
            Some(Benchmark {
                value: Decimal::new(percent, 2),
                direction,
            })
        };
        match self {
            FigureName::ExistingRevenueShare => b(90, Direction::About),
            FigureName::Top20RevenueShare => b(80, Direction::About),
            FigureName::Top20ProfitShare => b(100, Direction::Above),
            FigureName::LostWithin5Years => b(50, Direction::About),
            FigureName::HeardComplainerRetention => b(70, Direction::About),
            _ => None,
        }
    }
}

impl fmt::Display for FigureName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl std::str::FromStr for FigureName {
    type Err = Error;
    fn from_str(s: &str) -> Result<FigureName> {
        FigureName::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| Error::UnknownFigure {
                name: s.chars().take(80).collect(),
            })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for FigureName {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Reads the name (`"retention-rate"`), as [`FromStr`](std::str::FromStr)
/// does.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for FigureName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// How a value compares with a benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
#[non_exhaustive]
pub enum Direction {
    /// About this value (`~90%`).
    About,
    /// Above this value (`>100%`).
    Above,
}

/// A benchmark of the method: a value and how to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[non_exhaustive]
pub struct Benchmark {
    /// The value (a share: 0.9 is 90%).
    #[cfg_attr(feature = "serde", serde(with = "crm_core::decimal_str"))]
    pub value: Decimal,
    /// About it or above it.
    pub direction: Direction,
}

/// One line of the scorecard.
///
/// In JSON, `value`, `target` and `gap` follow the unit: a count is a JSON
/// integer (`244`), a share or money a decimal string (`"0.7404"`).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Figure {
    /// Which figure.
    pub name: FigureName,
    /// Its unit.
    pub unit: Unit,
    /// The value; `None` when an input is missing (see `missing`) or there
    /// is nothing to divide by.
    pub value: Option<Decimal>,
    /// The count a share or an average is taken over (customers), when
    /// there is one.
    pub of: Option<u64>,
    /// The method's benchmark.
    pub benchmark: Option<Benchmark>,
    /// The plan's target.
    pub target: Option<Decimal>,
    /// `value - target`, when both are known (see
    /// [`FigureName::higher_is_better`] for its sign).
    pub gap: Option<Decimal>,
    /// Which input would give the figure, when it has no value.
    pub missing: Option<String>,
}

#[cfg(feature = "serde")]
impl serde::Serialize for Figure {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Figure", 8)?;
        st.serialize_field("name", &self.name)?;
        st.serialize_field("unit", &self.unit)?;
        st.serialize_field("value", &InUnit(self.unit, self.value))?;
        st.serialize_field("of", &self.of)?;
        st.serialize_field("benchmark", &self.benchmark)?;
        st.serialize_field("target", &InUnit(self.unit, self.target))?;
        st.serialize_field("gap", &InUnit(self.unit, self.gap))?;
        st.serialize_field("missing", &self.missing)?;
        st.end()
    }
}

/// A figure's number as its unit has it in JSON: a count as an integer, a
/// share or money as a normalised decimal string.
#[cfg(feature = "serde")]
struct InUnit(Unit, Option<Decimal>);

#[cfg(feature = "serde")]
impl serde::Serialize for InUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use rust_decimal::prelude::ToPrimitive;
        match (self.0, self.1) {
            (_, None) => s.serialize_none(),
            (Unit::Count, Some(d)) if d.fract().is_zero() => match d.to_i64() {
                Some(n) => s.serialize_i64(n),
                None => s.collect_str(&d.normalize()),
            },
            (_, Some(d)) => s.collect_str(&d.normalize()),
        }
    }
}

/// The scorecard of a period.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct Scorecard {
    /// The period.
    pub period: crm_core::Period,
    /// The previous period, when its pyramid was given.
    pub previous: Option<crm_core::Period>,
    /// The figures in [`FigureName::ALL`] order.
    pub figures: Vec<Figure>,
}

impl Scorecard {
    /// The line of `name`.
    pub fn figure(&self, name: FigureName) -> Option<&Figure> {
        self.figures.iter().find(|f| f.name == name)
    }
}

/// The analyses a scorecard is read from; only the pyramid of the period
/// is required.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ScorecardInputs<'a> {
    /// The pyramid of the period.
    pub now: &'a Pyramid,
    /// The pyramid of the previous period: lost, net inflow, retention,
    /// average value of new and loyal customers.
    pub previous: Option<&'a Pyramid>,
    /// The pyramid of the period five years earlier: the share lost within
    /// five years.
    pub five_years_before: Option<&'a Pyramid>,
    /// Profitability of the period: the top 20% share of profit.
    pub profitability: Option<&'a Profitability>,
    /// Share of wallet of the period: Small customers with a low share.
    pub wallet: Option<&'a Wallet>,
    /// The complaint report of the previous period, with retention in this
    /// one: complainer retention.
    pub complaints: Option<&'a ComplaintReport>,
    /// The response rate of the treated customers of a campaign measured
    /// over the period (`treated.response_rate` of a campaign measure).
    pub campaign_response: Option<Decimal>,
}

impl<'a> ScorecardInputs<'a> {
    /// The inputs with only the period's pyramid.
    pub fn new(now: &'a Pyramid) -> ScorecardInputs<'a> {
        ScorecardInputs {
            now,
            previous: None,
            five_years_before: None,
            profitability: None,
            wallet: None,
            complaints: None,
            campaign_response: None,
        }
    }
}

/// The scorecard's targets per figure, read from a plan file
/// ([`ScorecardPlan::parse`]); not to be confused with the strategy
/// crate's plan of actions.
///
/// In JSON (feature `serde`) `{"targets": {"retention-rate": "0.8",
/// "customers-lost": 40}}`; reading checks each target as
/// [`ScorecardPlan::parse`] does (a share from 0 to 1, a whole count, an
/// amount not negative), so what it writes reads back to the same plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "RawPlan"))]
#[non_exhaustive]
pub struct ScorecardPlan {
    /// The target of each figure that has one. In JSON an object from the
    /// figure's name to the target as its unit has it (a count as an
    /// integer, a share or money as a decimal string), as in
    /// [`Figure`].
    #[cfg_attr(feature = "serde", serde(serialize_with = "targets"))]
    pub targets: BTreeMap<FigureName, Decimal>,
}

#[cfg(feature = "serde")]
fn targets<S: serde::Serializer>(
    targets: &BTreeMap<FigureName, Decimal>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_map(
        targets
            .iter()
            .map(|(name, d)| (name.as_str(), InUnit(name.unit(), Some(*d)))),
    )
}

/// What [`ScorecardPlan`] reads before its targets are checked.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlan {
    #[serde(default)]
    targets: BTreeMap<FigureName, Target>,
}

/// A target: a decimal string or a whole number, as `decimal_str` reads.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct Target(#[serde(with = "crm_core::decimal_str")] Decimal);

#[cfg(feature = "serde")]
impl TryFrom<RawPlan> for ScorecardPlan {
    type Error = String;
    fn try_from(raw: RawPlan) -> std::result::Result<ScorecardPlan, String> {
        let mut plan = ScorecardPlan::default();
        for (name, Target(d)) in raw.targets {
            if let Some(why) = target_problem(name, d) {
                return Err(why);
            }
            plan.targets.insert(name, d);
        }
        Ok(plan)
    }
}

/// A problem in a plan file, with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PlanProblem {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for PlanProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

fn position(src: &str, offset: usize) -> (usize, usize) {
    let mut at = offset.min(src.len());
    while at > 0 && !src.is_char_boundary(at) {
        at -= 1;
    }
    let before = src.get(..at).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before, |i| before.get(i + 1..).unwrap_or(""))
        .chars()
        .count()
        + 1;
    (line, column)
}

impl ScorecardPlan {
    /// Reads a plan: a TOML table `[targets]` of figure names
    /// ([`FigureName::as_str`]) to numbers (shares as fractions, 0.9 for
    /// 90%; counts; amounts, also as decimal strings for exact money).
    ///
    /// ```
    /// use crm_ops::{FigureName, ScorecardPlan};
    /// let plan = ScorecardPlan::parse("[targets]\nretention-rate = 0.8\naverage-value-new = \"1250.50\"\n", "plan.toml").unwrap();
    /// assert_eq!(plan.targets[&FigureName::RetentionRate], "0.8".parse().unwrap());
    /// let err = ScorecardPlan::parse("[targets]\nretention = 0.8\n", "plan.toml").unwrap_err();
    /// assert!(err.to_string().contains("plan.toml: line 2, column 1: unknown figure"), "{err}");
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Plan`] with every problem found, each with its line and
    /// column: a syntax error, an unknown table or figure, a value that is
    /// not a number.
    pub fn parse(src: &str, source_name: &str) -> Result<ScorecardPlan> {
        use toml::de::{DeTable, DeValue};
        let fail = |problems: Vec<PlanProblem>| Error::Plan {
            source_name: source_name.chars().take(200).collect(),
            problems,
        };
        let problem = |span: Range<usize>, message: String| {
            let (line, column) = position(src, span.start);
            PlanProblem {
                line,
                column,
                message,
            }
        };
        let doc = DeTable::parse(src).map_err(|e| {
            fail(vec![problem(
                e.span().unwrap_or(0..0),
                e.message().trim().to_string(),
            )])
        })?;
        let mut problems = Vec::new();
        let mut plan = ScorecardPlan::default();
        let mut top: Vec<_> = doc.get_ref().iter().collect();
        top.sort_by_key(|(k, _)| k.span().start);
        for (key, value) in top {
            if key.get_ref() != "targets" {
                problems.push(problem(
                    key.span(),
                    format!("unknown table {:?}: a plan has [targets]", key.get_ref()),
                ));
                continue;
            }
            let DeValue::Table(t) = value.get_ref() else {
                problems.push(problem(value.span(), "`targets` must be a table".into()));
                continue;
            };
            let mut entries: Vec<_> = t.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            for (k, v) in entries {
                let Ok(name) = k.get_ref().parse::<FigureName>() else {
                    let known: Vec<&str> = FigureName::ALL.iter().map(|f| f.as_str()).collect();
                    problems.push(problem(
                        k.span(),
                        format!(
                            "unknown figure {:?} (known: {})",
                            k.get_ref(),
                            known.join(", ")
                        ),
                    ));
                    continue;
                };
                let text = match v.get_ref() {
                    DeValue::Integer(i) if i.radix() == 10 => Some(i.as_str().to_string()),
                    DeValue::Float(f) => Some(f.as_str().to_string()),
                    DeValue::String(s) => Some(s.to_string()),
                    _ => None,
                };
                let parsed = text.as_deref().and_then(|t| {
                    let t = t.replace('_', "");
                    t.parse::<Decimal>()
                        .ok()
                        .or_else(|| Decimal::from_scientific(&t).ok())
                });
                match parsed.map(|d| (d, target_problem(name, d))) {
                    Some((d, None)) => {
                        plan.targets.insert(name, d);
                    }
                    Some((_, Some(why))) => problems.push(problem(v.span(), why)),
                    None if text
                        .as_deref()
                        .and_then(|t| t.replace('_', "").parse::<f64>().ok())
                        .is_some_and(f64::is_nan) =>
                    {
                        problems.push(problem(
                            v.span(),
                            format!("the target of {name} is nan: a target must be a number (0.9 for 90%)"),
                        ))
                    }
                    None if text
                        .as_deref()
                        .is_some_and(|t| t.replace('_', "").parse::<f64>().is_ok()) =>
                    {
                        problems.push(problem(
                            v.span(),
                            format!("the target of {name} is out of range (a target lies between about -7.9e28 and 7.9e28)"),
                        ))
                    }
                    None => problems.push(problem(
                        v.span(),
                        format!("the target of {name} must be a number (0.9 for 90%)"),
                    )),
                }
            }
        }
        if problems.is_empty() {
            Ok(plan)
        } else {
            Err(fail(problems))
        }
    }
}

/// What is wrong with `d` as the target of `name`, if anything: shares are
/// from 0 to 1 (a share of profit may exceed 1, not go below 0), counts are
/// whole numbers (not negative, but for the net inflow), amounts are not
/// negative.
fn target_problem(name: FigureName, d: Decimal) -> Option<String> {
    match name.unit() {
        Unit::Share if d.is_sign_negative() && !d.is_zero() => Some(format!(
            "the target of {name} is a share from 0 to 1 (0.9 for 90%), not {d}"
        )),
        Unit::Share if d > Decimal::ONE && name != FigureName::Top20ProfitShare => Some(format!(
            "the target of {name} is a share from 0 to 1 (0.9 for 90%), not {d}"
        )),
        Unit::Count if d.fract() != Decimal::ZERO => Some(format!(
            "the target of {name} is a number of customers, a whole number, not {d}"
        )),
        Unit::Count if d.is_sign_negative() && !d.is_zero() && name != FigureName::NetInflow => {
            Some(format!(
                "the target of {name} is a number of customers, not negative: {d}"
            ))
        }
        Unit::Money if d.is_sign_negative() && !d.is_zero() => Some(format!(
            "the target of {name} is an amount, not negative: {d}"
        )),
        _ => None,
    }
}

fn figure(name: FigureName, value: Option<Decimal>, of: Option<u64>) -> Figure {
    Figure {
        name,
        unit: name.unit(),
        value,
        of,
        benchmark: name.benchmark(),
        target: None,
        gap: None,
        missing: None,
    }
}

fn missing(name: FigureName, why: &str) -> Figure {
    let mut f = figure(name, None, None);
    f.missing = Some(why.to_string());
    f
}

/// An average of money by the toolkit's rule ([`crm_core::average`]:
/// cents, half away from zero).
fn average(total: Money, n: u64) -> Option<Decimal> {
    crm_core::average(total, n).map(Money::as_decimal)
}

/// Builds the scorecard of `inputs.now`'s period, with the targets of
/// `plan`.
///
/// Definitions (the pyramids' basis is the value; revenue by default):
/// - existing-revenue-share: value in the period of the active customers
///   whose first purchase is before the period, over all active value;
/// - top20-revenue-share: the pyramid's Pareto share;
/// - top20-profit-share: the profit of the top `ceil(20% × n)` of the `n`
///   customers served, ranked by profit, over the total profit (only when
///   the total is positive);
/// - customers-lost: active in the previous period, not active in this one
///   (lapsed to Inactive or lost beyond the horizon); net-inflow: new plus
///   reactivated (from the migration matrix) minus lost; retention-rate:
///   the previous period's active customers active again;
/// - lost-within-5-years: of the customers active in the period five years
///   earlier, the share not active in this one;
/// - small-low-wallet: Small customers with a known potential and a share
///   of wallet under 30% (`of`: Small customers with a known potential);
/// - heard / unheard complainer retention: the resolved and unresolved
///   groups of the previous period's complaint report;
/// - average-value-new / -loyal: average value in the period of the new
///   customers, and of those active in both periods.
///
/// # Errors
///
/// [`Error::Mismatch`] when a pyramid is not of this ledger, or the
/// complaint report is not of the previous period with retention in this
/// one; [`Error::Migration`] when the matrix cannot be built.
///
/// # Example
///
/// ```
/// use crm_core::{Ledger, Money, NaiveDate, Period};
/// use crm_ops::{FigureName, ScorecardInputs, scorecard};
/// use crm_pyramid::{PyramidOptions, pyramid};
///
/// let (y23, y24) = (Period::year(2023).unwrap(), Period::year(2024).unwrap());
/// let mut ledger = Ledger::new([y23, y24]);
/// let d = |y, m| NaiveDate::from_ymd_opt(y, m, 1).unwrap();
/// ledger.record_sale("a", d(2023, 3), Money::from(100), None).unwrap();
/// ledger.record_sale("b", d(2023, 3), Money::from(100), None).unwrap();
/// ledger.record_sale("a", d(2024, 3), Money::from(300), None).unwrap();
/// ledger.record_sale("c", d(2024, 3), Money::from(100), None).unwrap();
/// let o = PyramidOptions::new();
/// let (before, now) = (pyramid(&ledger, &y23, &o).unwrap(), pyramid(&ledger, &y24, &o).unwrap());
/// let mut inputs = ScorecardInputs::new(&now);
/// inputs.previous = Some(&before);
/// let card = scorecard(&ledger, &inputs, None).unwrap();
/// let value = |f| card.figure(f).unwrap().value;
/// assert_eq!(value(FigureName::ExistingRevenueShare), Some("0.75".parse().unwrap()));
/// assert_eq!(value(FigureName::CustomersLost), Some(1.into())); // b
/// assert_eq!(value(FigureName::NetInflow), Some(0.into())); // c new, b lost
/// assert!(card.figure(FigureName::Top20ProfitShare).unwrap().missing.is_some());
/// ```
pub fn scorecard(
    ledger: &Ledger,
    inputs: &ScorecardInputs<'_>,
    plan: Option<&ScorecardPlan>,
) -> Result<Scorecard> {
    let now = inputs.now;
    check_pyramid(ledger, now)?;
    let period = *now.period();
    let basis = now.basis();
    let mut figures = Vec::with_capacity(FigureName::ALL.len());

    // Existing customers' share of the value: who bought before the
    // period read in the ledger's order (in rank order the records would
    // be visited at random), summed in rank order.
    let existed = ledger
        .ids()
        .map(|id| {
            ledger
                .totals(id)
                .map(|t| t.first_purchase(basis).is_some_and(|d| d < period.start()))
        })
        .collect::<std::result::Result<Vec<bool>, _>>()?;
    let mut existing = Money::ZERO;
    for &id in now.ranking() {
        if existed.get(id.index()).copied().unwrap_or(false) {
            existing = existing
                .checked_add(now.value_of(id)?)
                .ok_or(Error::Overflow {
                    what: "value of the existing customers",
                })?;
        }
    }
    let active_value = now.active_value();
    figures.push(figure(
        FigureName::ExistingRevenueShare,
        crm_core::share(existing.as_decimal(), active_value.as_decimal()),
        Some(now.active()),
    ));
    figures.push(figure(
        FigureName::Top20RevenueShare,
        now.pareto(),
        Some(now.active()),
    ));
    figures.push(top20_profit(inputs.profitability));

    // Lost, net inflow, retention, new and loyal from the previous period.
    let from_previous = [
        FigureName::CustomersLost,
        FigureName::NetInflow,
        FigureName::RetentionRate,
    ];
    let averages = [FigureName::AverageValueNew, FigureName::AverageValueLoyal];
    let mut tail = Vec::new();
    match inputs.previous {
        None => {
            let why = "the previous period's purchases (history before the period)";
            figures.extend(from_previous.map(|f| missing(f, why)));
            tail.extend(averages.map(|f| missing(f, why)));
        }
        Some(prev) => {
            check_pyramid(ledger, prev)?;
            let m = Migration::between(ledger, prev, now)?;
            let active_before = prev.active();
            let lost = prev
                .ranking()
                .iter()
                .filter(|&&id| {
                    !now.level_of(id)
                        .ok()
                        .flatten()
                        .is_some_and(Level::is_active)
                })
                .count() as u64;
            let inflow =
                i128::from(m.summary.new) + i128::from(m.summary.reactivated) - i128::from(lost);
            figures.push(figure(
                FigureName::CustomersLost,
                Some(lost.into()),
                Some(active_before),
            ));
            figures.push(figure(
                FigureName::NetInflow,
                Some(Decimal::from_i128_with_scale(inflow, 0)),
                None,
            ));
            figures.push(figure(
                FigureName::RetentionRate,
                share(active_before - lost, active_before),
                Some(active_before),
            ));
            let (mut new, mut loyal) = ((0u64, Money::ZERO), (0u64, Money::ZERO));
            for c in m.cells() {
                let slot = match (c.movement(), c.from) {
                    (Movement::New, _) => &mut new,
                    (_, Source::Level(f)) if f.is_active() && c.to.is_active() => &mut loyal,
                    _ => continue,
                };
                slot.0 += c.customers;
                slot.1 = slot.1.checked_add(c.value_to).ok_or(Error::Overflow {
                    what: "value of new or loyal customers",
                })?;
            }
            tail.push(figure(
                FigureName::AverageValueNew,
                average(new.1, new.0),
                Some(new.0),
            ));
            tail.push(figure(
                FigureName::AverageValueLoyal,
                average(loyal.1, loyal.0),
                Some(loyal.0),
            ));
        }
    }

    figures.push(match inputs.five_years_before {
        Some(old) if old.active() > 0 => {
            check_pyramid(ledger, old)?;
            let lost = old
                .ranking()
                .iter()
                .filter(|&&id| {
                    !now.level_of(id)
                        .ok()
                        .flatten()
                        .is_some_and(Level::is_active)
                })
                .count() as u64;
            figure(
                FigureName::LostWithin5Years,
                share(lost, old.active()),
                Some(old.active()),
            )
        }
        _ => missing(
            FigureName::LostWithin5Years,
            "purchases from five years before the period",
        ),
    });

    figures.push(match inputs.wallet {
        Some(w) => {
            let small: Vec<_> = w
                .shares
                .iter()
                .filter(|s| s.level == Level::Small)
                .collect();
            let low = small.iter().filter(|s| s.share < LOW_WALLET_SHARE).count() as u64;
            figure(
                FigureName::SmallLowWallet,
                Some(low.into()),
                Some(small.len() as u64),
            )
        }
        None => missing(
            FigureName::SmallLowWallet,
            "a customer register with a potential column",
        ),
    });

    match inputs.complaints {
        Some(c) => {
            if c.next_period != Some(period) {
                return Err(Error::Mismatch {
                    what: "complaint report",
                    detail: format!(
                        "the scorecard of {period} needs the complaints of the previous period with retention in {period}"
                    ),
                });
            }
            for (name, group) in [
                (
                    FigureName::HeardComplainerRetention,
                    ComplaintGroup::Resolved,
                ),
                (
                    FigureName::UnheardComplainerRetention,
                    ComplaintGroup::Unresolved,
                ),
            ] {
                let g = c.group(group);
                figures.push(figure(name, g.and_then(|g| g.rate), g.map(|g| g.customers)));
            }
        }
        None => {
            let why = "interactions with complaints and their resolutions in the previous period";
            figures.push(missing(FigureName::HeardComplainerRetention, why));
            figures.push(missing(FigureName::UnheardComplainerRetention, why));
        }
    }

    figures.push(match inputs.campaign_response {
        Some(r) => figure(
            FigureName::CampaignResponse,
            Some(crm_core::round_share(r)),
            None,
        ),
        None => missing(
            FigureName::CampaignResponse,
            "campaign-sent interactions of a campaign in the period",
        ),
    });
    figures.extend(tail);

    if let Some(plan) = plan {
        for f in &mut figures {
            f.target = plan.targets.get(&f.name).copied();
            f.gap = match (f.value, f.target) {
                (Some(v), Some(t)) => v.checked_sub(t),
                _ => None,
            };
        }
    }
    Ok(Scorecard {
        period,
        previous: inputs.previous.map(|p| *p.period()),
        figures,
    })
}

fn top20_profit(p: Option<&Profitability>) -> Figure {
    let name = FigureName::Top20ProfitShare;
    let Some(p) = p else {
        return missing(name, "profitability: transactions with a margin column");
    };
    let n = p.customers.len() as u64;
    let top = usize::try_from((n * 2).div_ceil(10)).unwrap_or(usize::MAX);
    let total = sum_money(p.customers.iter().map(|c| c.profit));
    let best = sum_money(p.customers.iter().take(top).map(|c| c.profit));
    match (best, total) {
        (Some(b), Some(t)) if t.is_positive() => figure(
            name,
            crm_core::share(b.as_decimal(), t.as_decimal()),
            Some(n),
        ),
        _ => missing(
            name,
            "a positive total profit: transactions with a margin column",
        ),
    }
}

fn sum_money(mut rows: impl Iterator<Item = Money>) -> Option<Money> {
    rows.try_fold(Money::ZERO, |a, b| a.checked_add(b))
}
