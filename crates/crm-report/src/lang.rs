//! The languages of the report: one table of strings per language, and
//! numbers and money written the way each language writes them.

use std::fmt;
use std::str::FromStr;

use crm_chart::NumberFormat;
use crm_core::{Datelike, Decimal, Money, Period};

use crate::tables::{
    CLV_EN, CLV_NL, CUSTOMER_EN, CUSTOMER_NL, ClvTableTexts, CustomerTableTexts, MARKOV_EN,
    MARKOV_NL, MarkovTableTexts, VALUE_EN, VALUE_NL, ValueTableTexts, lookup,
};

/// The language of a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Lang {
    /// English: `1,234.56`.
    #[default]
    En,
    /// Dutch: `1.234,56`, levels Top, Groot, Middel, Klein, Inactief.
    Nl,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Nl];

    /// The language code (`en`, `nl`), as in the page's `lang` attribute.
    pub const fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Nl => "nl",
        }
    }

    /// The language of a locale string such as `nl_NL.UTF-8` or `en`;
    /// `None` when it is neither English nor Dutch.
    pub fn from_locale(locale: &str) -> Option<Lang> {
        let code = locale
            .split(['_', '-', '.', '@'])
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        match code.as_str() {
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language from the environment, the way POSIX programs choose
    /// it: the first of `LC_ALL`, `LC_MESSAGES` and `LANG` that is set and
    /// not empty; English when it names another language or none is set.
    pub fn from_env() -> Lang {
        ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .and_then(|v| Lang::from_locale(&v))
            .unwrap_or_default()
    }

    /// The strings of this language.
    pub fn texts(self) -> &'static Texts {
        match self {
            Lang::En => &EN,
            Lang::Nl => &NL,
        }
    }

    /// How this language writes numbers.
    pub fn numbers(self) -> NumberFormat {
        match self {
            Lang::En => NumberFormat::EN,
            Lang::Nl => NumberFormat::NL,
        }
    }

    /// A number written the English way (`1,234.5`, `-0.25`) in this
    /// language's way (`1.234,5`, `-0,25` in Dutch): the thousands
    /// separator and the decimal mark swapped as the language has them.
    pub fn local(self, english: &str) -> String {
        let f = self.numbers();
        english
            .chars()
            .map(|c| match c {
                ',' => f.thousands,
                '.' => f.decimal,
                c => c,
            })
            .collect()
    }

    /// A whole number with thousands grouped (`12,345` or `12.345`).
    pub fn count(self, n: u64) -> String {
        self.numbers().format(n as f64, 0)
    }

    /// A signed whole number (`+12`, `-3`, `0`).
    pub fn signed_count(self, n: i64) -> String {
        let s = self.numbers().format(n as f64, 0);
        if n > 0 { format!("+{s}") } else { s }
    }

    /// A share (0.256) as a percentage with one decimal (`25.6%`).
    pub fn percent(self, share: f64) -> String {
        self.numbers().percent(share, 1)
    }

    /// An amount of money, rounded to whole units from 100 up and to cents
    /// below (`1,234,568`, `45.50`), thousands grouped; exact (from the
    /// decimal, never through a float).
    pub fn money(self, m: Money) -> String {
        let d = m.as_decimal();
        let dp = if d.abs() >= Decimal::ONE_HUNDRED {
            0
        } else {
            2
        };
        let s = d.round_dp(dp).to_string();
        let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |r| ("-", r));
        let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let f = self.numbers();
        let mut out = String::from(sign);
        for (i, c) in int.chars().enumerate() {
            if i > 0 && (int.len() - i) % 3 == 0 {
                out.push(f.thousands);
            }
            out.push(c);
        }
        if dp > 0 {
            out.push(f.decimal);
            out.push_str(&format!("{frac:0<2}"));
        }
        if out == "-0" { "0".into() } else { out }
    }

    /// Money with a sign (`+1,234`, `-56`).
    pub fn signed_money(self, m: Money) -> String {
        let s = self.money(m);
        if m.is_positive() && s != "0" && s != "0.00" && s != "0,00" {
            format!("+{s}")
        } else {
            s
        }
    }

    /// An amount for a chart label: short (`1.2M`, `45.3k`, `980`).
    pub fn money_short(self, m: Money) -> String {
        let v: f64 = m.as_decimal().to_string().parse().unwrap_or(0.0);
        self.short(v)
    }

    /// A number for a chart label: short (`1.2M`, `45.3k`, `980`).
    pub fn short(self, v: f64) -> String {
        let f = self.numbers();
        let a = v.abs();
        let (million, thousand) = match self {
            Lang::En => ("M", "k"),
            Lang::Nl => (" mln", "k"),
        };
        if a >= 1e6 {
            format!(
                "{}{million}",
                f.format(v / 1e6, if a >= 1e8 { 0 } else { 1 })
            )
        } else if a >= 1e4 {
            format!(
                "{}{thousand}",
                f.format(v / 1e3, if a >= 1e5 { 0 } else { 1 })
            )
        } else {
            f.format(v, 0)
        }
    }

    /// A level name (`top` ... `suspect`, or `new`) in this language;
    /// other names unchanged.
    pub fn level(self, name: &str) -> &str {
        let t = self.texts();
        match name {
            "top" => t.levels[0],
            "big" => t.levels[1],
            "medium" => t.levels[2],
            "small" => t.levels[3],
            "inactive" => t.levels[4],
            "prospect" => t.levels[5],
            "suspect" => t.levels[6],
            "new" => t.level_new,
            other => other,
        }
    }

    /// A movement name (`up`, `new`, ... as `crm-migration` names them) in
    /// this language; other names unchanged.
    pub fn movement(self, name: &str) -> &str {
        lookup(&self.texts().movements, name)
    }

    /// A strategy name (`target`, `acquire`, `retain`, `develop`,
    /// `phase-out`, as `crm-strategy` names them) in this language; other
    /// names unchanged.
    pub fn strategy(self, name: &str) -> &str {
        lookup(&self.texts().strategies, name)
    }

    /// An owner of the default rulebook (`account-manager`, `back-office`,
    /// `marketing`, `sales`) in this language; other names unchanged.
    pub fn owner(self, name: &str) -> &str {
        lookup(&self.texts().actions.owners, name)
    }

    /// A channel (`email`, `phone`, `post`, `visit`, `meeting`, as
    /// `crm-strategy` names them) in this language; other names unchanged.
    pub fn channel(self, name: &str) -> &str {
        lookup(&self.texts().actions.channels, name)
    }

    /// An RFM segment name of the default rules in this language; other
    /// (user-defined) names unchanged.
    pub fn segment(self, name: &str) -> &str {
        lookup(&self.texts().segments, name)
    }

    /// A lifecycle stage (`suspect`, `prospect`, `customer`) in this
    /// language; other names unchanged.
    pub fn stage(self, name: &str) -> &str {
        lookup(&self.texts().customer_table.stages, name)
    }

    /// An interaction kind (`visit`, `complaint`, ...) in this language;
    /// other names unchanged.
    pub fn kind(self, name: &str) -> &str {
        lookup(&self.texts().customer_table.kinds, name)
    }

    /// A lead stage (`lead`, `qualified`, `quote`, `won`, `lost`) in this
    /// language; other names unchanged.
    pub fn lead_stage(self, name: &str) -> &str {
        lookup(&self.texts().customer_table.lead_stages, name)
    }

    /// A time unit as `crm-clv` writes it (`day`, `week`, `month`,
    /// `opportunity`, `7.5 days`) in this language, with the number in
    /// this language's way.
    pub fn unit(self, name: &str) -> String {
        let units = &self.texts().clv_table.units;
        match name.strip_suffix(" days") {
            Some(n) => format!("{} {}", self.local(n), lookup(units, "days")),
            None => lookup(units, name).to_string(),
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.code())
    }
}

impl FromStr for Lang {
    type Err = crate::Error;
    fn from_str(s: &str) -> Result<Lang, crate::Error> {
        Lang::from_locale(s.trim())
            .ok_or_else(|| crate::Error::Language(s.chars().take(40).collect()))
    }
}

/// A period as people name it: `2025`, `2025-Q3`, `2025-07`, or
/// `2025-03-15..2025-06-15` when it is not a calendar unit.
pub fn period_label(p: &Period) -> String {
    let (s, e) = (p.start(), p.end());
    let y = s.year();
    if Period::year(y).is_ok_and(|x| x == *p) {
        return y.to_string();
    }
    let q = (s.month() - 1) / 3 + 1;
    if Period::quarter(y, q).is_ok_and(|x| x == *p) {
        return format!("{y}-Q{q}");
    }
    if Period::month(y, s.month()).is_ok_and(|x| x == *p) {
        return format!("{y}-{:02}", s.month());
    }
    format!("{s}..{e}")
}

/// Fills `{name}` placeholders of a template.
pub(crate) fn fill(template: &str, values: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (k, v) in values {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// A section's strings: its title, the template of its one-line reading
/// (with `{placeholders}`), and what to add when its data is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SectionTexts {
    /// The heading.
    pub title: &'static str,
    /// The one-line reading, a template.
    pub reading: &'static str,
    /// What input would add the section.
    pub missing: &'static str,
}

/// Every string of the report in one language: one table per language,
/// so that a translation is complete by construction (a missing field
/// does not compile).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Texts {
    /// The page title, with `{period}`.
    pub title: &'static str,
    /// The line under it, with `{period}`, `{previous}`, `{basis}`.
    pub subtitle: &'static str,
    /// The line under it without a previous period.
    pub subtitle_alone: &'static str,
    /// The input line, with `{customers}`, `{transactions}`.
    pub input_line: &'static str,
    /// Names of the value bases: revenue, margin.
    pub bases: [&'static str; 2],
    /// "Contents".
    pub contents: &'static str,
    /// The heading of the sections that are not in the report.
    pub not_included: &'static str,
    /// Label before a missing section's note.
    pub add: &'static str,
    /// The footer.
    pub footer: &'static str,
    /// "Show the figures" (the table under a chart).
    pub show_figures: &'static str,
    /// Key figures: active customers, value, top 20% share, net migration,
    /// whale peak.
    pub kpi: [&'static str; 5],
    /// "vs {previous}".
    pub versus: &'static str,
    /// Levels top ... suspect.
    pub levels: [&'static str; 7],
    /// The row of customers not yet known in the earlier period.
    pub level_new: &'static str,
    /// Movement names by their `crm-migration` names.
    pub movements: [(&'static str, &'static str); 8],
    /// RFM segment names of the default rules.
    pub segments: [(&'static str, &'static str); 12],
    /// Table headers: level, customers, share of customers, value, share
    /// of value, average, previous customers, previous value, change of
    /// value.
    pub columns: [&'static str; 9],
    /// "customers".
    pub customers: &'static str,
    /// "{share} of value".
    pub of_value: &'static str,
    /// "level in {period}".
    pub level_in: &'static str,
    /// Heatmap legend: up, down, same.
    pub legend: [&'static str; 3],
    /// "value {period}".
    pub value_in: &'static str,
    /// "lost": beyond the inactivity horizon, out of the pyramid.
    pub left: &'static str,
    /// "projected".
    pub projected: &'static str,
    /// Whale chart: x label, y label, line name, "peak {share}".
    pub whale_axes: [&'static str; 4],
    /// "unprofitable or zero".
    pub unprofitable: &'static str,
    /// RFM: row header, column header.
    pub rfm_axes: [&'static str; 2],
    /// Wallet table: customer, level, value, potential, share, room.
    pub wallet_columns: [&'static str; 6],
    /// Lifetime: P(alive) axis, value axis, the model line, "actual".
    pub clv_axes: [&'static str; 4],
    /// Holdout chart axes: x, y.
    pub holdout_axes: [&'static str; 2],
    /// Tracking chart: x label (with `{start}`), y label, title.
    pub tracking_axes: [&'static str; 3],
    /// Markov table: level, lifetime value, periods until inactive.
    pub markov_columns: [&'static str; 3],
    /// "The model could not be fitted: {error}".
    pub fit_failed: &'static str,
    /// Chart descriptions (for screen readers), one per chart: pyramid,
    /// migration, bridge, projection, whale, profit pyramid, rfm, wallet,
    /// p(alive), value, holdout, tracking, funnel, complaint handling,
    /// complaint retention, campaign, scorecard, actions per strategy,
    /// actions per owner.
    pub descriptions: [&'static str; 19],
    /// The sections in page order: pyramid, migration, bridge, projection,
    /// whale, profit pyramid, rfm, wallet, lifetime value, holdout,
    /// actions, funnel, complaints, campaign, scorecard.
    pub sections: [SectionTexts; 15],
    /// The operational sections' other strings.
    pub ops: OpsTexts,
    /// The five strategies of the customer pyramid by their names in
    /// `crm-strategy`: target, acquire, retain, develop, phase out (in
    /// Dutch as the courses name them: bepaal je juiste klant, haal
    /// binnen, houd binnen, bouw op, bouw af).
    pub strategies: [(&'static str, &'static str); 5],
    /// The terminal table of `crm pyramid`.
    pub pyramid_table: PyramidTableTexts,
    /// The terminal tables of `crm migration --from --to`.
    pub migration_table: MigrationTableTexts,
    /// The terminal tables of `crm migration --periods`.
    pub markov_table: MarkovTableTexts,
    /// The terminal tables of `crm value`.
    pub value_table: ValueTableTexts,
    /// The terminal tables of `crm clv`.
    pub clv_table: ClvTableTexts,
    /// `crm customer`.
    pub customer_table: CustomerTableTexts,
    /// Between the items of a list in a sentence: `, ` in English, `; ` in
    /// Dutch (where `,` is the decimal separator).
    pub list_separator: &'static str,
    /// The terminal tables of `crm funnel`.
    pub funnel_table: FunnelTableTexts,
    /// The terminal tables of `crm complaints`.
    pub complaints_table: ComplaintsTableTexts,
    /// The terminal table of `crm scorecard`.
    pub scorecard_table: ScorecardTableTexts,
    /// The terminal tables of `crm campaign measure`.
    pub campaign_table: CampaignTableTexts,
    /// The actions section of the page and the terminal tables of `crm
    /// actions`.
    pub actions: ActionsTexts,
    /// The terminal tables of `crm winback`.
    pub winback_table: WinbackTableTexts,
}

/// The strings of the actions: the report's section and `crm actions`'s
/// terminal tables. Rule names, messages and owners other than the
/// default rulebook's are the rulebook's own and stay as written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ActionsTexts {
    /// The chart titles: actions per strategy, actions per owner.
    pub charts: [&'static str; 2],
    /// The columns of the counts: strategy, owner, actions, share of the
    /// actions.
    pub columns: [&'static str; 4],
    /// The terminal table's heading, with `{period}`, `{rulebook}`,
    /// `{policy}`, `{actions}`, `{customers}`, `{no_channel}`.
    pub heading: &'static str,
    /// An action count left out, with `{count}` and `{reason}`.
    pub left_out: &'static str,
    /// The acceptance table's heading.
    pub acceptance: &'static str,
    /// The acceptance table's columns: rule / owner, outcomes, done,
    /// declined, no answer, acceptance.
    pub acceptance_columns: [&'static str; 6],
    /// The list's heading, with `{shown}` and `{total}`.
    pub list: &'static str,
    /// The list's columns: priority, customer, rule, owner, channel,
    /// message.
    pub list_columns: [&'static str; 6],
    /// The default rulebook's owners by their names in it.
    pub owners: [(&'static str, &'static str); 4],
    /// The channels by their `crm-strategy` names: email, phone, post,
    /// visit, meeting.
    pub channels: [(&'static str, &'static str); 5],
}

/// The strings of `crm winback`'s terminal tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct WinbackTableTexts {
    /// The heading of the rates, with `{first}` and `{last}`.
    pub heading: &'static str,
    /// The rates' columns: best former level, periods lapsed, customers,
    /// reactivated, rate.
    pub rate_columns: [&'static str; 5],
    /// The best former level of customers inactive since before the
    /// history.
    pub before_history: &'static str,
    /// The note under a rate on few customers, with `{min}`.
    pub small_cell: &'static str,
    /// The former customers' heading, with `{last}`, `{shown}`, `{total}`.
    pub former: &'static str,
    /// The former customers' columns: customer, best level, lapsed, margin
    /// then, complaint, rate, cell, expected margin.
    pub former_columns: [&'static str; 8],
    /// A complaint left open before lapsing.
    pub open: &'static str,
}

/// The strings of the report's operational sections besides their
/// titles and readings (the funnel, complaints, campaign and scorecard
/// sections also use the terminal tables' labels).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct OpsTexts {
    /// The funnel chart's bar text, with `{reached}` and `{conversion}`.
    pub funnel_bar: &'static str,
    /// The complaint chart's bars: received, resolved within the service
    /// level (with `{sla}`), still open at the period's end.
    pub complaint_bars: [&'static str; 3],
    /// The retention chart's title, with `{previous}` and `{period}`.
    pub retention_title: &'static str,
    /// After the complaints reading, with `{previous}`, `{heard}` and
    /// `{unheard}` (retention rates).
    pub retention_line: &'static str,
    /// The campaign chart's title, with `{campaign}`.
    pub campaign_title: &'static str,
    /// The scorecard reading without a plan, with `{measured}`, `{all}`.
    pub scorecard_alone: &'static str,
    /// The note when no plan was given.
    pub plan_missing: &'static str,
    /// The scorecard chart's series: value, the method's benchmark, the
    /// plan's target.
    pub scorecard_series: [&'static str; 3],
    /// "not measured", for a figure without a value.
    pub not_measured: &'static str,
}

/// The strings of `crm funnel`'s terminal tables (JSON and CSV keep their
/// language-independent names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct FunnelTableTexts {
    /// The heading, with `{period}` and `{as_of}`.
    pub heading: &'static str,
    /// The leads line, with `{leads}`, `{created}` and `{undated}`.
    pub leads: &'static str,
    /// Stage names: lead, qualified, quote, won, lost.
    pub stages: [&'static str; 5],
    /// The funnel's columns: stage, reached, conversion, median days,
    /// leads timed.
    pub stage_columns: [&'static str; 5],
    /// The outcome line, with `{won}`, `{lost}`, `{open}`, `{rate}`.
    pub outcome: &'static str,
    /// Names of the cuts: owner, source.
    pub by: [&'static str; 2],
    /// The name shown for leads without an owner or source.
    pub none: &'static str,
    /// The cut's columns after its name: created, qualified, quote, won,
    /// lost, open, win rate, pipeline, weighted, stale.
    pub group_columns: [&'static str; 10],
    /// "Lost reasons".
    pub lost_reasons: &'static str,
    /// P(win | stage)'s heading and columns: stage, closed, won, P(win).
    pub win_probability: [&'static str; 5],
    /// The pipeline line, with `{as_of}`, `{open}`, `{value}`,
    /// `{weighted}`, `{stale}`, `{days}`.
    pub pipeline: &'static str,
    /// The stale list's heading, with `{days}`.
    pub stale: &'static str,
    /// The stale list's columns: lead, customer, owner, stage, last change,
    /// days, value.
    pub stale_columns: [&'static str; 7],
    /// The line after a cut list, with `{more}`.
    pub more: &'static str,
    /// The quality of acquisition's heading.
    pub quality: &'static str,
    /// Its columns: source or owner (the cut's name goes first), new
    /// customers, active a period later, pending, no order.
    pub quality_columns: [&'static str; 4],
    /// Without leads: the heading, with `{from}` and `{to}`.
    pub no_leads: &'static str,
    /// Without leads: the suspects line, with `{suspects}`, `{prospects}`,
    /// `{customers}`, `{to_prospect}`, `{to_customer}`.
    pub suspects: &'static str,
    /// Without leads: the prospects line, with `{prospects}`,
    /// `{customers}`, `{to_customer}`.
    pub prospects: &'static str,
}

/// The strings of `crm campaign measure`'s terminal tables (JSON and CSV
/// keep their language-independent names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CampaignTableTexts {
    /// The heading, with `{campaign}`, `{first}`, `{last}`, `{sends}` and
    /// `{days}`.
    pub heading: &'static str,
    /// Columns: figure, treated, control, uplift, 95% interval.
    pub columns: [&'static str; 5],
    /// Rows: customers, responders, response rate, buyers, revenue,
    /// revenue per customer.
    pub rows: [&'static str; 6],
    /// The cost line, with `{cost}`, `{per_response}`, `{per_extra}`.
    pub cost: &'static str,
    /// The line when control customers had a send, with `{customers}`.
    pub control_with_send: &'static str,
    /// The warning when the control group does not follow the campaign's
    /// hash order.
    pub control_mismatch: &'static str,
    /// The report's reading when the control group holds no customer
    /// without a send (nothing to compare with), with `{campaign}` and
    /// `{treated}`.
    pub no_control: &'static str,
    /// The movement table's heading, with `{from}` and `{to}`.
    pub movement: &'static str,
    /// The movement table's columns: movement, treated, control.
    pub movement_columns: [&'static str; 3],
    /// "left": outside the later pyramid.
    pub left: &'static str,
}

/// The strings of `crm scorecard`'s terminal table (JSON and CSV keep the
/// figures' names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ScorecardTableTexts {
    /// The heading, with `{period}` and `{previous}` (empty or the
    /// pyramid table's `previous` text).
    pub heading: &'static str,
    /// Columns: figure, value, over, benchmark, target, gap.
    pub columns: [&'static str; 6],
    /// The figures' labels in `crm-ops` scorecard order: existing
    /// customers' share of value, top 20% share of value, top 20% share of
    /// profit, customers lost, net inflow, retention, lost within five
    /// years, Small customers with a low share of wallet, heard and unheard
    /// complainer retention, campaign response, average value of new and
    /// of loyal customers.
    pub figures: [&'static str; 13],
    /// Before the input a missing figure needs.
    pub needs: &'static str,
    /// "about" and "above", before a benchmark.
    pub directions: [&'static str; 2],
}

/// The strings of `crm complaints`' terminal tables (JSON and CSV keep
/// their language-independent names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComplaintsTableTexts {
    /// The heading, with `{period}` and `{sla}` (days).
    pub heading: &'static str,
    /// The figures' labels: received, complainers, resolved in the period,
    /// resolutions with nothing open, open at the start, open at the end,
    /// received and resolved, days to resolve (mean / median / p90),
    /// within the service level, complainers not active.
    pub figures: [&'static str; 10],
    /// The by-level table's columns: level, complaints, complainers, value.
    pub level_columns: [&'static str; 4],
    /// The level of a customer outside the pyramid.
    pub outside: &'static str,
    /// The heading of the retention table, with `{next}`.
    pub retention: &'static str,
    /// The retention table's columns: group, customers, retained, rate.
    pub retention_columns: [&'static str; 4],
    /// The groups: no complaint, resolved, unresolved.
    pub groups: [&'static str; 3],
    /// The line when there is no next period to measure retention in,
    /// with `{next}`.
    pub no_next: &'static str,
}

/// The strings of `crm migration`'s terminal tables (the matrix, the
/// value bridge and the risk list; JSON and CSV keep their names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MigrationTableTexts {
    /// The heading, with `{from}` and `{to}`.
    pub heading: &'static str,
    /// The matrix's caption, with `{from}` and `{to}`.
    pub caption: &'static str,
    /// The matrix's corner cell.
    pub corner: &'static str,
    /// "total".
    pub total: &'static str,
    /// The counts line, with `{up}`, `{new}`, `{reactivated}`, `{down}`,
    /// `{lapsed}`, `{stayed}`, `{other}`.
    pub counts: &'static str,
    /// The net line, with `{inflow}` and `{movement}` (signed).
    pub net: &'static str,
    /// The lost line, with `{lost}`.
    pub lost: &'static str,
    /// "Value bridge".
    pub bridge: &'static str,
    /// A bridge's end, with `{period}`.
    pub value_in: &'static str,
    /// The bridge's row of value lost beyond the horizon.
    pub bridge_lost: &'static str,
    /// The risk list's heading, with `{customers}`.
    pub risk: &'static str,
    /// The risk list's columns: customer, from, to, value before, value
    /// after, value lost.
    pub risk_columns: [&'static str; 6],
    /// The line after a cut risk list, with `{more}`.
    pub risk_more: &'static str,
}

/// The strings of `crm pyramid`'s terminal table (JSON and CSV keep their
/// language-independent names).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct PyramidTableTexts {
    /// The heading, with `{period}`, `{previous}` (empty or the
    /// `previous` text), `{basis}` and `{cuts}`.
    pub heading: &'static str,
    /// " (previous: {period})".
    pub previous: &'static str,
    /// Columns: level, customers, % active, value, % value, average,
    /// previous, change, previous value, value change.
    pub columns: [&'static str; 10],
    /// The totals line, with `{active}`, `{active_value}`, `{total}`.
    pub totals: &'static str,
    /// The Pareto line, with `{share}`.
    pub pareto: &'static str,
    /// The lost line, with `{customers}`.
    pub lost: &'static str,
    /// The assignments' columns: customer, level, rank, value.
    pub assignment_columns: [&'static str; 4],
}

/// English.
pub static EN: Texts = Texts {
    title: "Customer report {period}",
    subtitle: "{period} compared with {previous} · value basis: {basis}",
    subtitle_alone: "{period} · value basis: {basis}",
    input_line: "{customers} customers and prospects, {transactions} transactions",
    bases: ["revenue", "margin"],
    contents: "Contents",
    not_included: "Not yet in this report",
    add: "To add:",
    footer: "Made with crm report. Every figure comes from the data named above; shares are rounded, sums are exact.",
    show_figures: "Show the figures",
    kpi: [
        "Active customers",
        "Value",
        "Value from the top 20%",
        "Net migration",
        "Whale curve peak",
    ],
    versus: "vs {previous}",
    levels: [
        "Top", "Big", "Medium", "Small", "Inactive", "Prospect", "Suspect",
    ],
    level_new: "New",
    movements: [
        ("up", "up"),
        ("new", "new"),
        ("reactivated", "reactivated"),
        ("down", "down"),
        ("lost", "lost"),
        ("lapsed", "lapsed"),
        ("stayed", "stayed"),
        ("other", "other"),
    ],
    segments: [
        ("champions", "champions"),
        ("loyal", "loyal"),
        ("potential loyalist", "potential loyalist"),
        ("new", "new"),
        ("promising", "promising"),
        ("needs attention", "needs attention"),
        ("about to sleep", "about to sleep"),
        ("at risk", "at risk"),
        ("can't lose them", "can't lose them"),
        ("hibernating", "hibernating"),
        ("lost", "lost"),
        ("other", "other"),
    ],
    columns: [
        "Level",
        "Customers",
        "% of customers",
        "Value",
        "% of value",
        "Average",
        "Customers before",
        "Value before",
        "Change in value",
    ],
    customers: "customers",
    of_value: "{share} of value",
    level_in: "level in {period}",
    legend: ["up (new, reactivated)", "down or inactive", "same or other"],
    value_in: "Value {period}",
    left: "lost beyond the horizon",
    projected: "projected",
    whale_axes: [
        "customers ranked by profit",
        "cumulative profit, share of total",
        "cumulative profit",
        "peak {share}",
    ],
    unprofitable: "No profit",
    rfm_axes: ["recency score (5 = recent)", "frequency score (5 = often)"],
    wallet_columns: ["Customer", "Level", "Value", "Potential", "Share", "Room"],
    clv_axes: [
        "probability of being alive",
        "expected value in the next 12 months",
        "model",
        "actual",
    ],
    holdout_axes: [
        "repeat purchases before the calibration end (last: and more)",
        "purchases per customer after it",
    ],
    tracking_axes: [
        "weeks since {start}",
        "cumulative repeat purchases",
        "Repeat purchases over time",
    ],
    markov_columns: ["Level", "Lifetime value", "Periods until inactive"],
    fit_failed: "The lifetime-value model could not be fitted: {error}",
    descriptions: [
        "The customer pyramid: active customers as slices of a triangle whose areas are proportional to the customers at each level, with value and share of value; inactive customers, prospects and suspects as bars beneath.",
        "The migration matrix: rows are the levels in the earlier period, columns the levels in the later one; green cells moved up, orange cells moved down or became inactive, with the customers and their value.",
        "The value bridge: the value of the earlier period, the change from each kind of move, and the value of the later period.",
        "Customers per level in each period, observed and projected with the transition probabilities.",
        "The whale curve: cumulative profit as a share of the total against the customers ranked by profit.",
        "The profit pyramid: customers cut by profit instead of value.",
        "The RFM grid: customers by recency score (rows) and frequency score (columns), with the segment names.",
        "The growth room per level: potential minus value, summed over the customers with a known potential.",
        "How many customers have each probability of still being active.",
        "How many customers are expected to bring each value in the next 12 months.",
        "Mean purchases after the calibration end, actual and predicted, by the repeat purchases before it.",
        "Cumulative repeat purchases of the customers who bought by the calibration end, actual and predicted, week by week; the dashed vertical line is the calibration end.",
        "How many of the leads created in the period reached each stage, with the conversion from the stage before.",
        "Complaints received in the period, those resolved within the service level, and those still open at its end.",
        "The share of the previous period's active customers who bought again in this one: without a complaint, with every complaint resolved, with a complaint left open.",
        "The response rate of the customers who received the campaign and of the control group held out from it, each with its 95% interval.",
        "Each share of the scorecard beside the method's benchmark and the plan's target.",
        "How many actions the rulebook proposes for each strategy of the customer pyramid.",
        "How many actions the rulebook gives to each owner.",
    ],
    sections: [
        SectionTexts {
            title: "The customer pyramid",
            reading: "{active} active customers; the {topbig} Top and Big customers bring {share} of the value.",
            missing: "Give transactions for the period to draw the pyramid.",
        },
        SectionTexts {
            title: "Migration between levels",
            reading: "From {from} to {to}: {up} customers moved up ({new} new, {reactivated} won back), {down} moved down and {lost} became inactive.",
            missing: "Give a period with a previous period in the data to see who moved.",
        },
        SectionTexts {
            title: "Where the value change came from",
            reading: "Value went from {from_total} to {to_total} ({change}); the largest gain came from {gain}, the largest loss from {loss}.",
            missing: "Give a period with a previous period in the data to see the value bridge.",
        },
        SectionTexts {
            title: "Projection",
            reading: "If customers keep moving as they did from {first} to {last}, there will be about {active} active customers {k} periods ahead.",
            missing: "Add --periods (such as 2021..2025, at least two periods) to estimate the transitions and project the pyramid.",
        },
        SectionTexts {
            title: "Whale curve",
            reading: "The {peak_customers} most profitable customers earn {peak} of the total profit; {unprofitable} unprofitable customers cost {destroyed}.",
            missing: "Add a margin column to the transactions to see profit per customer (interactions with a cost add the cost to serve).",
        },
        SectionTexts {
            title: "Profit pyramid",
            reading: "The same pyramid cut on profit: {top} Top customers earn {top_profit}; {unprofitable} customers bring no profit.",
            missing: "Add a margin column to the transactions to cut the pyramid on profit.",
        },
        SectionTexts {
            title: "RFM: recency and frequency",
            reading: "As of {as_of}, the largest segment is {segment} ({count} customers); {risk} customers are at risk or can't be lost.",
            missing: "Give transactions to score recency, frequency and value.",
        },
        SectionTexts {
            title: "Share of wallet",
            reading: "Small and Medium customers have {room} of room to grow with us; the list shows who has the most.",
            missing: "Add a customer register with a potential column (--customers) to see the room to grow.",
        },
        SectionTexts {
            title: "Lifetime value",
            reading: "{alive} of {customers} customers are probably still active (P(alive) of 50% or more); together they are expected to spend {value} in the next 12 months ({model}).",
            missing: "Give transactions with repeat purchases to fit the lifetime-value model.",
        },
        SectionTexts {
            title: "Model check",
            reading: "The model fitted on the purchases up to {calibration_end} predicted {predicted} purchases after it; {actual} happened.",
            missing: "Add --calibration-end DATE (before the period's end) to check the model against the purchases after it.",
        },
        SectionTexts {
            title: "Actions by strategy and owner",
            reading: "The rulebook {rulebook} proposes {actions} actions for {customers} customers: the most to {strategy} ({strategy_count}), and {owner} owns the most ({owner_count}); {no_channel} have no usable channel (consent or contact pressure).",
            missing: "Give transactions for the period: the rulebook decides on the customers of its pyramid.",
        },
        SectionTexts {
            title: "From lead to order",
            reading: "{created} leads were created in {period}: {won} won and {lost} lost by its end ({rate} of those closed won), {open} still open; the open pipeline is worth {weighted} weighted by the chance to win.",
            missing: "Add the leads (--leads FILE, or a database with leads) to follow the road from lead to order.",
        },
        SectionTexts {
            title: "Complaints",
            reading: "{received} complaints received in {period}, {within} of them resolved within {sla} days; {open} still open at the end.",
            missing: "Add interactions of the kinds complaint and complaint-resolved (--interactions, or a database with them) to measure complaint handling and the retention of complainers.",
        },
        SectionTexts {
            title: "Campaign against its control group",
            reading: "{campaign}: {treated} of the customers who received it responded against {control} of the control group; uplift {uplift} (95% interval {low} to {high}).",
            missing: "Add --campaign NAME and --campaign-control FILE (the customers held out), with interactions holding the campaign's campaign-sent rows, to measure a campaign against its control group.",
        },
        SectionTexts {
            title: "Scorecard",
            reading: "{measured} of {all} figures measured; {met} of the {targets} with a target in the plan reach it.",
            missing: "Give transactions for the period to read the scorecard.",
        },
    ],
    ops: OpsTexts {
        funnel_bar: "{reached} ({conversion} of the stage before)",
        complaint_bars: [
            "Received",
            "Resolved within {sla} days",
            "Still open at the end",
        ],
        retention_title: "Customers of {previous} buying again in {period}",
        retention_line: " Of {previous}'s complainers, {heard} of those whose complaints were resolved bought again, against {unheard} of those left with an open complaint.",
        campaign_title: "Response to {campaign}",
        scorecard_alone: "{measured} of {all} figures measured; the shares stand beside the method's benchmarks.",
        plan_missing: "No plan given: add --plan FILE (a target per figure) to see each figure beside its target and the gap.",
        scorecard_series: ["value", "benchmark", "target"],
        not_measured: "not measured",
    },
    strategies: [
        ("target", "Target the right customers"),
        ("acquire", "Acquire"),
        ("retain", "Retain"),
        ("develop", "Develop"),
        ("phase-out", "Phase out"),
    ],
    pyramid_table: PyramidTableTexts {
        heading: "Customer pyramid {period}{previous}, basis {basis}, cuts {cuts}",
        previous: " (previous: {period})",
        columns: [
            "level",
            "customers",
            "% active",
            "value",
            "% value",
            "average",
            "previous",
            "change",
            "previous value",
            "value change",
        ],
        totals: "active customers {active}, active value {active_value}, total value {total}",
        pareto: "Pareto: the top 20% of active customers hold {share} of the value",
        lost: "lost (beyond the inactivity horizon): {customers} customers",
        assignment_columns: ["customer", "level", "rank", "value"],
    },
    complaints_table: ComplaintsTableTexts {
        heading: "Complaints {period}, service level {sla} days",
        figures: [
            "received",
            "complainers",
            "resolved in the period",
            "resolutions with nothing open",
            "open at the start",
            "open at the end",
            "received and resolved",
            "days to resolve (mean / median / 90th percentile)",
            "within the service level",
            "complainers not active in the period",
        ],
        level_columns: ["level", "complaints", "complainers", "value"],
        outside: "lost",
        retention: "Retention in {next}",
        retention_columns: ["group", "customers", "retained", "rate"],
        groups: ["no complaint", "complaint resolved", "complaint unresolved"],
        no_next: "Retention: no purchases in {next} yet",
    },
    scorecard_table: ScorecardTableTexts {
        heading: "Scorecard {period}{previous}",
        columns: ["figure", "value", "of", "benchmark", "target", "gap"],
        figures: [
            "share of value from existing customers",
            "top 20% share of value",
            "top 20% share of profit",
            "customers lost",
            "net inflow (new + reactivated - lost)",
            "retention rate",
            "lost within 5 years",
            "Small customers with share of wallet < 30%",
            "retention of heard complainers",
            "retention of unheard complainers",
            "campaign response",
            "average value of new customers",
            "average value of loyal customers",
        ],
        needs: "needs",
        directions: ["~", ">"],
    },
    campaign_table: CampaignTableTexts {
        heading: "Campaign {campaign}: {sends} sends from {first} to {last}, window {days} days",
        columns: ["", "treated", "control", "uplift", "95% interval"],
        rows: [
            "customers",
            "responders",
            "response rate",
            "buyers",
            "revenue",
            "revenue per customer",
        ],
        cost: "cost {cost}; per response {per_response}; per extra response {per_extra}",
        control_with_send: "Customers of the control list who had a send anyway, counted as treated: {customers}",
        no_control: "{campaign}: {treated} of the customers who received it responded; the control group holds no customer without a send, so there is nothing to compare with and no uplift is measured.",
        control_mismatch: "warning: the control group does not follow this campaign's hash order: is it the list crm actions --control held out for this campaign?",
        movement: "Pyramid movement from {from} to {to}",
        movement_columns: ["movement", "treated", "control"],
        left: "left the pyramid",
    },
    migration_table: MigrationTableTexts {
        heading: "Migration from {from} to {to}",
        caption: "Customers: rows are the level in {from}, columns the level in {to} (▲ up, ▼ down or lapsed)",
        corner: "from \\ to",
        total: "total",
        counts: "up {up} (of which new {new}, reactivated {reactivated}), down {down}, lapsed (active to inactive) {lapsed}, stayed {stayed}, other {other}",
        net: "net inflow (new + reactivated - lapsed) {inflow}, net movement (up - down - lapsed) {movement}",
        lost: "lost (left the pyramid, beyond the inactivity horizon): {lost}",
        bridge: "Value bridge",
        value_in: "value {period}",
        bridge_lost: "lost",
        risk: "At risk: {customers} customers moved down or lapsed (most value lost first)",
        risk_columns: [
            "customer",
            "from",
            "to",
            "value before",
            "value after",
            "value lost",
        ],
        risk_more: "... and {more} more (--format json or csv lists them all)",
    },
    markov_table: MARKOV_EN,
    value_table: VALUE_EN,
    clv_table: CLV_EN,
    customer_table: CUSTOMER_EN,
    list_separator: ", ",
    funnel_table: FunnelTableTexts {
        heading: "From lead to order {period}: leads created in the period, as they stood on {as_of}",
        leads: "{leads} leads, {created} created in the period ({undated} without dates left out)",
        stages: ["lead", "qualified", "quote", "won", "lost"],
        stage_columns: [
            "stage",
            "reached",
            "conversion",
            "median days in stage",
            "leads timed",
        ],
        outcome: "won {won}, lost {lost}, open {open}; win rate (won of closed) {rate}",
        by: ["owner", "source"],
        none: "(none)",
        group_columns: [
            "created",
            "qualified",
            "quote",
            "won",
            "lost",
            "open",
            "win rate",
            "pipeline",
            "weighted",
            "stale",
        ],
        lost_reasons: "Lost reasons",
        win_probability: [
            "P(win | stage), from the leads closed by the period's end",
            "stage",
            "closed",
            "won",
            "P(win)",
        ],
        pipeline: "Pipeline on {as_of}: {open} open leads worth {value}, weighted by P(win | stage) {weighted}; {stale} stale (no stage change for more than {days} days)",
        stale: "Stale open leads (no stage change for more than {days} days), longest first",
        stale_columns: [
            "lead",
            "customer",
            "owner",
            "stage",
            "last change",
            "days",
            "value",
        ],
        more: "... and {more} more (--format json lists them all)",
        quality: "Quality of acquisition: customers won from leads, by their level one period after the first order",
        quality_columns: [
            "new customers",
            "active then",
            "not known yet",
            "won, no order",
        ],
        no_leads: "No lead data: the road from suspect to customer as the migration matrix shows it, {from} to {to}",
        suspects: "suspects {suspects}: {prospects} became prospects ({to_prospect}), {customers} became customers ({to_customer})",
        prospects: "prospects {prospects}: {customers} became customers ({to_customer})",
    },
    actions: ActionsTexts {
        charts: ["Actions per strategy", "Actions per owner"],
        columns: ["strategy", "owner", "actions", "share of actions"],
        heading: "Actions for {period} under {rulebook} ({policy}): {actions} for {customers} customers, {no_channel} without a usable channel",
        left_out: "left out: {count} ({reason})",
        acceptance: "Acceptance per rule, then per owner:",
        acceptance_columns: [
            "rule / owner",
            "outcomes",
            "done",
            "declined",
            "no answer",
            "acceptance",
        ],
        list: "Most urgent {shown} of {total}:",
        list_columns: ["prio", "customer", "rule", "owner", "channel", "message"],
        owners: [
            ("account-manager", "account manager"),
            ("back-office", "back office"),
            ("marketing", "marketing"),
            ("sales", "sales"),
        ],
        channels: [
            ("email", "e-mail"),
            ("phone", "phone"),
            ("post", "post"),
            ("visit", "visit"),
            ("meeting", "meeting"),
        ],
    },
    winback_table: WinbackTableTexts {
        heading: "Reactivation from {first} to {last}: of the Inactive in a period, the share active in the next",
        rate_columns: [
            "best former level",
            "periods lapsed",
            "customers",
            "reactivated",
            "rate",
        ],
        before_history: "before history",
        small_cell: "* fewer than {min} former customers behind the rate: read it with care",
        former: "Former customers of {last} by expected margin ({shown} of {total}):",
        former_columns: [
            "customer",
            "best level",
            "lapsed",
            "margin then",
            "complaint",
            "rate",
            "cell",
            "expected margin",
        ],
        open: "open",
    },
};

/// Dutch, with the level and strategy names of the Dutch courses.
pub static NL: Texts = Texts {
    title: "Klantenrapport {period}",
    subtitle: "{period} vergeleken met {previous} · waardebasis: {basis}",
    subtitle_alone: "{period} · waardebasis: {basis}",
    input_line: "{customers} klanten en prospects, {transactions} transacties",
    bases: ["omzet", "marge"],
    contents: "Inhoud",
    not_included: "Nog niet in dit rapport",
    add: "Toe te voegen:",
    footer: "Gemaakt met crm report. Alle cijfers komen uit de hierboven genoemde gegevens; aandelen zijn afgerond, sommen exact.",
    show_figures: "Toon de cijfers",
    kpi: [
        "Actieve klanten",
        "Waarde",
        "Waarde van de top 20%",
        "Netto migratie",
        "Top van de walviscurve",
    ],
    versus: "t.o.v. {previous}",
    levels: [
        "Top", "Groot", "Middel", "Klein", "Inactief", "Prospect", "Suspect",
    ],
    level_new: "Nieuw",
    movements: [
        ("up", "omhoog"),
        ("new", "nieuw"),
        ("reactivated", "teruggewonnen"),
        ("down", "omlaag"),
        ("lost", "inactief"),
        ("lapsed", "inactief"),
        ("stayed", "gebleven"),
        ("other", "overig"),
    ],
    segments: [
        ("champions", "kampioenen"),
        ("loyal", "trouw"),
        ("potential loyalist", "potentieel trouw"),
        ("new", "nieuw"),
        ("promising", "veelbelovend"),
        ("needs attention", "aandacht nodig"),
        ("about to sleep", "dreigt in te slapen"),
        ("at risk", "risico"),
        ("can't lose them", "niet verliezen"),
        ("hibernating", "slapend"),
        ("lost", "verloren"),
        ("other", "overig"),
    ],
    columns: [
        "Niveau",
        "Klanten",
        "% van klanten",
        "Waarde",
        "% van waarde",
        "Gemiddeld",
        "Klanten vorige",
        "Waarde vorige",
        "Verandering waarde",
    ],
    customers: "klanten",
    of_value: "{share} van de waarde",
    level_in: "niveau in {period}",
    legend: [
        "omhoog (nieuw, teruggewonnen)",
        "omlaag of inactief",
        "gelijk of overig",
    ],
    value_in: "Waarde {period}",
    left: "verloren (buiten de horizon)",
    projected: "prognose",
    whale_axes: [
        "klanten gerangschikt naar winst",
        "cumulatieve winst, aandeel van totaal",
        "cumulatieve winst",
        "top {share}",
    ],
    unprofitable: "Geen winst",
    rfm_axes: ["recentheid (5 = recent)", "frequentie (5 = vaak)"],
    wallet_columns: [
        "Klant",
        "Niveau",
        "Waarde",
        "Potentieel",
        "Aandeel",
        "Ruimte",
    ],
    clv_axes: [
        "kans dat de klant nog actief is",
        "verwachte waarde in de komende 12 maanden",
        "model",
        "werkelijk",
    ],
    holdout_axes: [
        "herhaalaankopen voor het kalibratie-einde (laatste: en meer)",
        "aankopen per klant daarna",
    ],
    tracking_axes: [
        "weken sinds {start}",
        "cumulatieve herhaalaankopen",
        "Herhaalaankopen in de tijd",
    ],
    markov_columns: ["Niveau", "Klantwaarde", "Perioden tot inactief"],
    fit_failed: "Het klantwaardemodel kon niet worden geschat: {error}",
    descriptions: [
        "De klantenpiramide: actieve klanten als plakken van een driehoek waarvan de oppervlakte evenredig is met het aantal klanten per niveau, met waarde en aandeel in de waarde; inactieve klanten, prospects en suspects als balken eronder.",
        "De migratiematrix: rijen zijn de niveaus in de eerdere periode, kolommen de niveaus in de latere; groene cellen gingen omhoog, oranje cellen omlaag of werden inactief, met de klanten en hun waarde.",
        "De waardebrug: de waarde van de eerdere periode, de verandering per soort beweging, en de waarde van de latere periode.",
        "Klanten per niveau in elke periode, waargenomen en voorspeld met de overgangskansen.",
        "De walviscurve: cumulatieve winst als aandeel van het totaal tegen de klanten gerangschikt naar winst.",
        "De winstpiramide: klanten ingedeeld naar winst in plaats van waarde.",
        "Het RFM-raster: klanten naar recentheid (rijen) en frequentie (kolommen), met de segmentnamen.",
        "De groeiruimte per niveau: potentieel min waarde, opgeteld over de klanten met een bekend potentieel.",
        "Hoeveel klanten elke kans hebben om nog actief te zijn.",
        "Hoeveel klanten elke waarde in de komende 12 maanden zullen brengen.",
        "Gemiddelde aankopen na het kalibratie-einde, werkelijk en voorspeld, naar het aantal herhaalaankopen ervoor.",
        "Cumulatieve herhaalaankopen van de klanten die voor het kalibratie-einde kochten, werkelijk en voorspeld, per week; de gestippelde verticale lijn is het kalibratie-einde.",
        "Hoeveel van de in de periode aangemaakte leads elke fase bereikten, met de conversie vanuit de fase ervoor.",
        "Klachten ontvangen in de periode, de klachten opgelost binnen de servicenorm, en de klachten die aan het eind nog open stonden.",
        "Het aandeel van de actieve klanten van de vorige periode dat in deze periode weer kocht: zonder klacht, met elke klacht opgelost, met een klacht die open bleef.",
        "Het responspercentage van de klanten die de campagne kregen en van de controlegroep die erbuiten bleef, elk met het 95%-interval.",
        "Elk aandeel van de scorecard naast de norm van de methode en het doel van het plan.",
        "Hoeveel acties het draaiboek voorstelt voor elke strategie van de klantenpiramide.",
        "Hoeveel acties het draaiboek aan elke eigenaar geeft.",
    ],
    sections: [
        SectionTexts {
            title: "De klantenpiramide",
            reading: "{active} actieve klanten; de {topbig} Top- en Grote klanten brengen {share} van de waarde.",
            missing: "Geef transacties van de periode om de piramide te tekenen.",
        },
        SectionTexts {
            title: "Migratie tussen niveaus",
            reading: "Van {from} naar {to}: {up} klanten gingen omhoog ({new} nieuw, {reactivated} teruggewonnen), {down} gingen omlaag en {lost} werden inactief.",
            missing: "Geef een periode met een vorige periode in de gegevens om te zien wie bewoog.",
        },
        SectionTexts {
            title: "Waar de waardeverandering vandaan kwam",
            reading: "De waarde ging van {from_total} naar {to_total} ({change}); de grootste winst kwam van {gain}, het grootste verlies van {loss}.",
            missing: "Geef een periode met een vorige periode in de gegevens om de waardebrug te zien.",
        },
        SectionTexts {
            title: "Prognose",
            reading: "Als klanten blijven bewegen zoals van {first} tot {last}, zijn er over {k} perioden ongeveer {active} actieve klanten.",
            missing: "Voeg --periods toe (zoals 2021..2025, minstens twee perioden) om de overgangen te schatten en de piramide vooruit te rekenen.",
        },
        SectionTexts {
            title: "Walviscurve",
            reading: "De {peak_customers} meest winstgevende klanten verdienen {peak} van de totale winst; {unprofitable} verliesgevende klanten kosten {destroyed}.",
            missing: "Voeg een margekolom toe aan de transacties om de winst per klant te zien (interacties met kosten tellen als kosten van bediening).",
        },
        SectionTexts {
            title: "Winstpiramide",
            reading: "Dezelfde piramide op winst: {top} Topklanten verdienen {top_profit}; {unprofitable} klanten brengen geen winst.",
            missing: "Voeg een margekolom toe aan de transacties om de piramide op winst in te delen.",
        },
        SectionTexts {
            title: "RFM: recentheid en frequentie",
            reading: "Op {as_of} is het grootste segment {segment} ({count} klanten); {risk} klanten lopen risico of mogen niet verloren gaan.",
            missing: "Geef transacties om recentheid, frequentie en waarde te scoren.",
        },
        SectionTexts {
            title: "Share of wallet",
            reading: "Kleine en Middelgrote klanten hebben {room} groeiruimte bij ons; de lijst toont wie de meeste heeft.",
            missing: "Voeg een klantenbestand met een kolom potential toe (--customers) om de groeiruimte te zien.",
        },
        SectionTexts {
            title: "Klantwaarde",
            reading: "{alive} van de {customers} klanten zijn waarschijnlijk nog actief (P(alive) van 50% of meer); samen besteden ze naar verwachting {value} in de komende 12 maanden ({model}).",
            missing: "Geef transacties met herhaalaankopen om het klantwaardemodel te schatten.",
        },
        SectionTexts {
            title: "Modelcontrole",
            reading: "Het model, geschat op de aankopen tot {calibration_end}, voorspelde {predicted} aankopen daarna; er waren er {actual}.",
            missing: "Voeg --calibration-end DATUM toe (voor het einde van de periode) om het model te toetsen aan de aankopen daarna.",
        },
        SectionTexts {
            title: "Acties per strategie en eigenaar",
            reading: "Het draaiboek {rulebook} stelt {actions} acties voor bij {customers} klanten: de meeste voor {strategy} ({strategy_count}), en {owner} heeft er de meeste ({owner_count}); {no_channel} hebben geen bruikbaar kanaal (toestemming of contactdruk).",
            missing: "Geef transacties van de periode: het draaiboek beslist over de klanten van de piramide.",
        },
        SectionTexts {
            title: "Van lead tot order",
            reading: "{created} leads aangemaakt in {period}: {won} gewonnen en {lost} verloren aan het eind ({rate} van de afgesloten gewonnen), {open} nog open; de open pijplijn is gewogen naar winkans {weighted} waard.",
            missing: "Voeg de leads toe (--leads BESTAND, of een database met leads) om de weg van lead tot order te volgen.",
        },
        SectionTexts {
            title: "Klachten",
            reading: "{received} klachten ontvangen in {period}, waarvan {within} opgelost binnen {sla} dagen; {open} staan aan het eind nog open.",
            missing: "Voeg interacties van de soorten complaint en complaint-resolved toe (--interactions, of een database ermee) om de klachtafhandeling en het behoud van klagers te meten.",
        },
        SectionTexts {
            title: "Campagne tegen de controlegroep",
            reading: "{campaign}: {treated} van de klanten die hem kregen reageerde, tegen {control} van de controlegroep; verschil {uplift} (95%-interval {low} tot {high}).",
            missing: "Voeg --campaign NAAM en --campaign-control BESTAND (de achtergehouden klanten) toe, met interacties met de campaign-sent-regels van de campagne, om een campagne tegen de controlegroep te meten.",
        },
        SectionTexts {
            title: "Scorecard",
            reading: "{measured} van {all} cijfers gemeten; {met} van de {targets} met een doel in het plan halen het.",
            missing: "Geef transacties van de periode om de scorecard te lezen.",
        },
    ],
    ops: OpsTexts {
        funnel_bar: "{reached} ({conversion} van de fase ervoor)",
        complaint_bars: [
            "Ontvangen",
            "Opgelost binnen {sla} dagen",
            "Aan het eind nog open",
        ],
        retention_title: "Klanten van {previous} die in {period} weer kochten",
        retention_line: " Van de klagers van {previous} kocht {heard} van wie de klachten werden opgelost weer, tegen {unheard} van wie een klacht open bleef.",
        campaign_title: "Respons op {campaign}",
        scorecard_alone: "{measured} van {all} cijfers gemeten; de aandelen staan naast de normen van de methode.",
        plan_missing: "Geen plan gegeven: voeg --plan BESTAND toe (een doel per cijfer) om elk cijfer naast het doel en het verschil te zien.",
        scorecard_series: ["waarde", "norm", "doel"],
        not_measured: "niet gemeten",
    },
    strategies: [
        ("target", "Bepaal je juiste klant"),
        ("acquire", "Haal binnen"),
        ("retain", "Houd binnen"),
        ("develop", "Bouw op"),
        ("phase-out", "Bouw af"),
    ],
    pyramid_table: PyramidTableTexts {
        heading: "Klantenpiramide {period}{previous}, basis {basis}, grenzen {cuts}",
        previous: " (vorige: {period})",
        columns: [
            "niveau",
            "klanten",
            "% actief",
            "waarde",
            "% waarde",
            "gemiddeld",
            "vorige",
            "verschil",
            "vorige waarde",
            "verschil waarde",
        ],
        totals: "actieve klanten {active}, actieve waarde {active_value}, totale waarde {total}",
        pareto: "Pareto: de beste 20% van de actieve klanten heeft {share} van de waarde",
        lost: "verloren (voorbij de inactiviteitsgrens): {customers} klanten",
        assignment_columns: ["klant", "niveau", "rang", "waarde"],
    },
    complaints_table: ComplaintsTableTexts {
        heading: "Klachten {period}, servicenorm {sla} dagen",
        figures: [
            "ontvangen",
            "klagers",
            "opgelost in de periode",
            "oplossingen zonder open klacht",
            "open bij het begin",
            "open aan het eind",
            "ontvangen en opgelost",
            "dagen tot oplossing (gemiddeld / mediaan / 90e percentiel)",
            "binnen de servicenorm",
            "klagers niet actief in de periode",
        ],
        level_columns: ["niveau", "klachten", "klagers", "waarde"],
        outside: "verloren",
        retention: "Behoud in {next}",
        retention_columns: ["groep", "klanten", "behouden", "percentage"],
        groups: ["geen klacht", "klacht opgelost", "klacht niet opgelost"],
        no_next: "Behoud: nog geen aankopen in {next}",
    },
    scorecard_table: ScorecardTableTexts {
        heading: "Scorecard {period}{previous}",
        columns: ["kengetal", "waarde", "van", "norm", "doel", "verschil"],
        figures: [
            "aandeel waarde van bestaande klanten",
            "aandeel waarde van de beste 20%",
            "aandeel winst van de beste 20%",
            "verloren klanten",
            "netto instroom (nieuw + heractiveerd - verloren)",
            "klantbehoud",
            "verloren binnen 5 jaar",
            "kleine klanten met klantaandeel < 30%",
            "behoud van gehoorde klagers",
            "behoud van niet gehoorde klagers",
            "respons op campagne",
            "gemiddelde waarde nieuwe klanten",
            "gemiddelde waarde trouwe klanten",
        ],
        needs: "vereist",
        directions: ["~", ">"],
    },
    campaign_table: CampaignTableTexts {
        heading: "Campagne {campaign}: {sends} verzendingen van {first} tot {last}, venster {days} dagen",
        columns: ["", "benaderd", "controle", "effect", "95%-interval"],
        rows: [
            "klanten",
            "respondenten",
            "respons",
            "kopers",
            "omzet",
            "omzet per klant",
        ],
        cost: "kosten {cost}; per respons {per_response}; per extra respons {per_extra}",
        control_with_send: "Klanten van de controlelijst die toch een verzending kregen, geteld als benaderd: {customers}",
        no_control: "{campaign}: {treated} van de klanten die hem kregen reageerde; de controlegroep bevat geen klant zonder verzending, dus er is niets om mee te vergelijken en geen effect gemeten.",
        control_mismatch: "waarschuwing: de controlegroep volgt de hashvolgorde van deze campagne niet: is het de lijst die crm actions --control voor deze campagne apart hield?",
        movement: "Beweging in de piramide van {from} naar {to}",
        movement_columns: ["beweging", "benaderd", "controle"],
        left: "uit de piramide",
    },
    migration_table: MigrationTableTexts {
        heading: "Migratie van {from} naar {to}",
        caption: "Klanten: rijen zijn het niveau in {from}, kolommen het niveau in {to} (▲ omhoog, ▼ omlaag of inactief)",
        corner: "van \\ naar",
        total: "totaal",
        counts: "omhoog {up} (waarvan nieuw {new}, teruggewonnen {reactivated}), omlaag {down}, inactief geworden {lapsed}, gebleven {stayed}, overig {other}",
        net: "netto instroom (nieuw + teruggewonnen - inactief geworden) {inflow}, netto beweging (omhoog - omlaag - inactief geworden) {movement}",
        lost: "verloren (uit de piramide, voorbij de inactiviteitsgrens): {lost}",
        bridge: "Waardebrug",
        value_in: "waarde {period}",
        bridge_lost: "verloren",
        risk: "Risico: {customers} klanten gingen omlaag of werden inactief (meeste waardeverlies eerst)",
        risk_columns: [
            "klant",
            "van",
            "naar",
            "waarde voor",
            "waarde na",
            "waardeverlies",
        ],
        risk_more: "... en nog {more} (--format json of csv geeft ze allemaal)",
    },
    markov_table: MARKOV_NL,
    value_table: VALUE_NL,
    clv_table: CLV_NL,
    customer_table: CUSTOMER_NL,
    list_separator: "; ",
    funnel_table: FunnelTableTexts {
        heading: "Van lead tot order {period}: leads aangemaakt in de periode, zoals ze stonden op {as_of}",
        leads: "{leads} leads, {created} aangemaakt in de periode ({undated} zonder datums niet meegeteld)",
        stages: ["lead", "gekwalificeerd", "offerte", "gewonnen", "verloren"],
        stage_columns: [
            "fase",
            "bereikt",
            "conversie",
            "mediaan dagen in fase",
            "leads gemeten",
        ],
        outcome: "gewonnen {won}, verloren {lost}, open {open}; scoringskans (gewonnen van afgesloten) {rate}",
        by: ["eigenaar", "bron"],
        none: "(geen)",
        group_columns: [
            "aangemaakt",
            "gekwalificeerd",
            "offerte",
            "gewonnen",
            "verloren",
            "open",
            "scoringskans",
            "pijplijn",
            "gewogen",
            "stil",
        ],
        lost_reasons: "Redenen van verlies",
        win_probability: [
            "P(gewonnen | fase), uit de leads afgesloten voor het einde van de periode",
            "fase",
            "afgesloten",
            "gewonnen",
            "P(gewonnen)",
        ],
        pipeline: "Pijplijn op {as_of}: {open} open leads ter waarde van {value}, gewogen met P(gewonnen | fase) {weighted}; {stale} stil (langer dan {days} dagen geen fasewissel)",
        stale: "Stille open leads (langer dan {days} dagen geen fasewissel), langste eerst",
        stale_columns: [
            "lead",
            "klant",
            "eigenaar",
            "fase",
            "laatste wissel",
            "dagen",
            "waarde",
        ],
        more: "... en nog {more} (--format json geeft ze allemaal)",
        quality: "Kwaliteit van de werving: klanten gewonnen uit leads, naar hun niveau een periode na de eerste order",
        quality_columns: [
            "nieuwe klanten",
            "toen actief",
            "nog niet bekend",
            "gewonnen, geen order",
        ],
        no_leads: "Geen leads: de weg van suspect naar klant volgens de migratiematrix, {from} tot {to}",
        suspects: "suspects {suspects}: {prospects} werden prospect ({to_prospect}), {customers} werden klant ({to_customer})",
        prospects: "prospects {prospects}: {customers} werden klant ({to_customer})",
    },
    actions: ActionsTexts {
        charts: ["Acties per strategie", "Acties per eigenaar"],
        columns: ["strategie", "eigenaar", "acties", "aandeel van de acties"],
        heading: "Acties voor {period} volgens {rulebook} ({policy}): {actions} voor {customers} klanten, {no_channel} zonder bruikbaar kanaal",
        left_out: "weggelaten: {count} ({reason})",
        acceptance: "Acceptatie per regel, dan per eigenaar:",
        acceptance_columns: [
            "regel / eigenaar",
            "uitkomsten",
            "gedaan",
            "afgewezen",
            "geen antwoord",
            "acceptatie",
        ],
        list: "Meest dringende {shown} van {total}:",
        list_columns: ["prio", "klant", "regel", "eigenaar", "kanaal", "bericht"],
        owners: [
            ("account-manager", "accountmanager"),
            ("back-office", "backoffice"),
            ("marketing", "marketing"),
            ("sales", "verkoop"),
        ],
        channels: [
            ("email", "e-mail"),
            ("phone", "telefoon"),
            ("post", "post"),
            ("visit", "bezoek"),
            ("meeting", "afspraak"),
        ],
    },
    winback_table: WinbackTableTexts {
        heading: "Heractivering van {first} tot {last}: van de inactieven in een periode het aandeel dat in de volgende actief was",
        rate_columns: [
            "beste vroegere niveau",
            "perioden weg",
            "klanten",
            "teruggekomen",
            "percentage",
        ],
        before_history: "voor de historie",
        small_cell: "* minder dan {min} vroegere klanten achter het percentage: lees het met zorg",
        former: "Vroegere klanten van {last} naar verwachte marge ({shown} van {total}):",
        former_columns: [
            "klant",
            "beste niveau",
            "weg",
            "marge toen",
            "klacht",
            "percentage",
            "cel",
            "verwachte marge",
        ],
        open: "open",
    },
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_per_language() {
        let m = |s: &str| Money::new(s.parse().unwrap());
        assert_eq!(Lang::En.money(m("1234567.891")), "1,234,568");
        assert_eq!(Lang::Nl.money(m("1234567.891")), "1.234.568");
        assert_eq!(Lang::Nl.money(m("45.5")), "45,50");
        assert_eq!(Lang::En.money(m("-0.001")), "0.00");
        assert_eq!(Lang::En.signed_money(m("120")), "+120");
        assert_eq!(Lang::Nl.short(1_234_000.0), "1,2 mln");
        assert_eq!(Lang::En.short(45_300.0), "45.3k");
        assert_eq!(Lang::En.signed_count(-3), "-3");
    }

    #[test]
    fn period_labels() {
        let p = |s: &str| s.parse::<Period>().unwrap();
        assert_eq!(period_label(&p("2025")), "2025");
        assert_eq!(period_label(&p("2025-Q3")), "2025-Q3");
        assert_eq!(period_label(&p("2025-07")), "2025-07");
        assert_eq!(
            period_label(&p("2025-03-15..2025-06-15")),
            "2025-03-15..2025-06-15"
        );
    }

    #[test]
    fn locales() {
        assert_eq!(Lang::from_locale("nl_BE.UTF-8"), Some(Lang::Nl));
        assert_eq!(Lang::from_locale("en_GB"), Some(Lang::En));
        assert_eq!(Lang::from_locale("C"), None);
        assert_eq!("NL".parse::<Lang>().unwrap(), Lang::Nl);
        assert!("fr".parse::<Lang>().is_err());
        assert_eq!(Lang::Nl.level("medium"), "Middel");
        assert_eq!(Lang::Nl.segment("champions"), "kampioenen");
        assert_eq!(Lang::Nl.segment("my own"), "my own");
        assert_eq!(Lang::Nl.strategy("retain"), "Houd binnen");
        assert_eq!(Lang::Nl.strategy("target"), "Bepaal je juiste klant");
        assert_eq!(Lang::Nl.strategy("phase-out"), "Bouw af");
        assert_eq!(Lang::En.strategy("develop"), "Develop");
        assert_eq!(Lang::Nl.strategy("other"), "other");
        assert_eq!(Lang::Nl.stage("customer"), "klant");
        assert_eq!(Lang::Nl.kind("complaint-resolved"), "klacht opgelost");
        assert_eq!(Lang::Nl.lead_stage("won"), "gewonnen");
        assert_eq!(Lang::Nl.unit("week"), "weken");
        assert_eq!(Lang::Nl.unit("7.5 days"), "7,5 dagen");
        assert_eq!(Lang::En.unit("month"), "month");
        assert_eq!(Lang::Nl.local("-1,234.5"), "-1.234,5");
        assert_eq!(Lang::En.local("-1,234.5"), "-1,234.5");
    }

    /// Every catalogue pair of the terminal tables names the same
    /// library names in both languages, in the same order.
    #[test]
    fn both_languages_translate_the_same_names() {
        fn keys(pairs: &[(&'static str, &'static str)]) -> Vec<&'static str> {
            pairs.iter().map(|p| p.0).collect()
        }
        let (en, nl) = (&EN.customer_table, &NL.customer_table);
        assert_eq!(keys(&en.stages), keys(&nl.stages));
        assert_eq!(keys(&en.kinds), keys(&nl.kinds));
        assert_eq!(keys(&en.lead_stages), keys(&nl.lead_stages));
        assert_eq!(keys(&EN.clv_table.units), keys(&NL.clv_table.units));
        for (k, v) in en.kinds.iter().chain(&en.stages).chain(&en.lead_stages) {
            assert_eq!(k, v, "English keeps the library's names");
        }
    }
}
