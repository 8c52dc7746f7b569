//! The strings of the `crm` command's terminal tables beyond the pyramid
//! and the migration matrix: the Markov view, the value tables (RFM,
//! profit, share of wallet, risk), lifetime value and one customer's
//! history. JSON and CSV keep their language-independent names.

/// The strings of `crm migration --periods`' terminal tables (the Markov
/// view).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MarkovTableTexts {
    /// The heading, with `{periods}`, `{first}` and `{last}`.
    pub heading: &'static str,
    /// The pairs' columns: from, to, up, new, reactivated, down, lapsed,
    /// lost, stayed, net inflow, net movement.
    pub pair_columns: [&'static str; 11],
    /// The line explaining the pairs' columns.
    pub pair_note: &'static str,
    /// The estimators: pooled counts, average of shares.
    pub estimators: [&'static str; 2],
    /// The transition matrix's heading, with `{how}` (an estimator).
    pub transitions: &'static str,
    /// The matrix's corner cell.
    pub corner: &'static str,
    /// The matrix's last columns: observed, customers now.
    pub observed: [&'static str; 2],
    /// The inflow row.
    pub inflow: &'static str,
    /// The projection's heading.
    pub projection: &'static str,
    /// The projection's first column.
    pub periods_ahead: &'static str,
    /// The steady state row.
    pub steady_state: &'static str,
    /// The line when there is no steady state.
    pub no_steady_state: &'static str,
    /// The long-run shares, with `{shares}`.
    pub long_run: &'static str,
    /// The lifetime value's heading, with `{basis}` and `{discount}`.
    pub lifetime: &'static str,
    /// The lifetime value's columns: level, value per period, lifetime
    /// value, periods until inactive.
    pub lifetime_columns: [&'static str; 4],
}

/// The strings of `crm value`'s terminal tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ValueTableTexts {
    /// RFM's heading, with `{as_of}` and `{customers}`.
    pub rfm_heading: &'static str,
    /// RFM's segment table: segment, customers, share.
    pub rfm_columns: [&'static str; 3],
    /// The R × F grid's corner cell.
    pub rfm_corner: &'static str,
    /// Profitability's heading, with `{period}` and `{customers}`.
    pub profit_heading: &'static str,
    /// The interaction costs line, with `{recorded}`, `{table}`, `{none}`
    /// and `{ignored}` (empty or `profit_ignored`).
    pub profit_costs: &'static str,
    /// Said when recorded costs are ignored.
    pub profit_ignored: &'static str,
    /// The whale curve's x axis.
    pub whale_axis: &'static str,
    /// The whale curve's summary, with `{total}`, `{top}`, `{top_share}`,
    /// `{peak}`, `{unprofitable}` and `{destroyed}`.
    pub profit_summary: &'static str,
    /// Said when the total profit is zero.
    pub profit_zero: &'static str,
    /// The profit pyramid's columns: level, customers, profit.
    pub profit_columns: [&'static str; 3],
    /// The profit pyramid's row of customers without profit.
    pub unprofitable: &'static str,
    /// Share of wallet's heading, with `{period}`, `{with}` and
    /// `{without}`.
    pub wallet_heading: &'static str,
    /// The potential's line, with `{months}`.
    pub wallet_months: &'static str,
    /// The list's heading, with `{customers}` and `{order}`.
    pub wallet_develop: &'static str,
    /// The orders: by share, by room.
    pub wallet_orders: [&'static str; 2],
    /// The list's columns: customer, level, value, potential, share, room.
    pub wallet_columns: [&'static str; 6],
    /// Risk's heading, with `{period}`, `{before}` and `{customers}`.
    pub risk_heading: &'static str,
    /// The signal counts, each with `{n}`: value fell (with `{drop}`),
    /// dropped a level, overdue (with `{factor}`), low P(alive).
    pub risk_counts: [&'static str; 4],
    /// The low P(alive) count, with `{n}` and `{below}`.
    pub risk_below: &'static str,
    /// Said when P(alive) was not computed.
    pub risk_no_model: &'static str,
    /// The risk list's columns: customer, level, value, signals.
    pub risk_columns: [&'static str; 4],
    /// The signals: value fell (`{drop}`), dropped a level (`{from}`,
    /// `{to}`), overdue (`{days}`, `{gap}`), low P(alive) (`{p}`), other.
    pub signals: [&'static str; 5],
    /// The line after a cut list, with `{more}`.
    pub more: &'static str,
}

/// The strings of `crm clv`'s terminal tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClvTableTexts {
    /// The fit's heading, with `{model}`, `{customers}`, `{patterns}`,
    /// `{unit}`.
    pub fit_heading: &'static str,
    /// The fit's likelihood line, with `{ll}` and `{iterations}`.
    pub fit_likelihood: &'static str,
    /// The fit's columns: parameter, estimate, standard error.
    pub fit_columns: [&'static str; 3],
    /// The prediction's heading, with `{model}`, `{horizon}`, `{unit}`.
    pub predict_heading: &'static str,
    /// The prediction's columns: customer, frequency, recency, T,
    /// P(alive), P(alive) at the next opportunity (BG/BB), purchases,
    /// spend, value.
    pub predict_columns: [&'static str; 9],
    /// The check's heading, with `{model}`.
    pub check_heading: &'static str,
    /// The check's columns: frequency, customers, actual, predicted.
    pub check_columns: [&'static str; 4],
    /// The tracking's heading, with `{date}`.
    pub tracking_heading: &'static str,
    /// The tracking's columns: date, actual, predicted.
    pub tracking_columns: [&'static str; 3],
    /// Time units by their names in `crm-clv`: day, week, month,
    /// opportunity, days.
    pub units: [(&'static str, &'static str); 5],
}

/// The strings of `crm customer` (one customer's history).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomerTableTexts {
    /// The heading, with `{key}`.
    pub heading: &'static str,
    /// The register line, with `{stage}` and `{name}` (empty or `, NAME`).
    pub register: &'static str,
    /// The potential line, with `{potential}`.
    pub potential: &'static str,
    /// Said when the customer is not in the register.
    pub not_in_register: &'static str,
    /// The heading of the levels per year.
    pub levels: &'static str,
    /// A year's value, with `{value}`.
    pub value: &'static str,
    /// A year's rank, with `{rank}` and `{active}`.
    pub rank: &'static str,
    /// The counts, each with `{n}`: transactions, interactions, leads.
    pub counts: [&'static str; 3],
    /// A transaction's margin, with `{margin}`.
    pub margin: &'static str,
    /// Lifecycle stages by their names in `crm-core`: suspect, prospect,
    /// customer.
    pub stages: [(&'static str, &'static str); 3],
    /// Interaction kinds by their names in `crm-core`.
    pub kinds: [(&'static str, &'static str); 9],
    /// Lead stages by their names in `crm-core`.
    pub lead_stages: [(&'static str, &'static str); 5],
}

pub(crate) const MARKOV_EN: MarkovTableTexts = MarkovTableTexts {
    heading: "Migration over {periods} periods, {first} to {last}",
    pair_columns: [
        "from",
        "to",
        "up",
        "new",
        "reactivated",
        "down",
        "lapsed",
        "lost",
        "stayed",
        "net inflow",
        "net movement",
    ],
    pair_note: "lapsed: active to inactive; lost: out of the pyramid (beyond the inactivity horizon); net inflow: new + reactivated - lapsed; net movement: up - down - lapsed",
    estimators: [
        "the pooled counts over all pairs",
        "the average of each pair's row shares",
    ],
    transitions: "Transition probabilities per period from {how} (rows: from, columns: to; in brackets the customers who moved, of the customers observed in the row), and inflow of new customers",
    corner: "from \\ to",
    observed: ["observed", "customers now"],
    inflow: "inflow",
    projection: "Projection (expected customers per level)",
    periods_ahead: "periods ahead",
    steady_state: "steady state",
    no_steady_state: "no steady state: no customer ever leaves the pyramid, so the counts keep growing with the inflow",
    long_run: "long-run shares of the customers: {shares}",
    lifetime: "Lifetime value per level ({basis} per period, discount {discount} per period)",
    lifetime_columns: [
        "level",
        "value per period",
        "lifetime value",
        "periods until inactive",
    ],
};

pub(crate) const MARKOV_NL: MarkovTableTexts = MarkovTableTexts {
    heading: "Migratie over {periods} perioden, {first} tot en met {last}",
    pair_columns: [
        "van",
        "naar",
        "omhoog",
        "nieuw",
        "teruggewonnen",
        "omlaag",
        "inactief geworden",
        "verloren",
        "gebleven",
        "netto instroom",
        "netto beweging",
    ],
    pair_note: "inactief geworden: van actief naar inactief; verloren: uit de piramide (voorbij de inactiviteitsgrens); netto instroom: nieuw + teruggewonnen - inactief geworden; netto beweging: omhoog - omlaag - inactief geworden",
    estimators: [
        "de opgetelde aantallen over alle paren",
        "het gemiddelde van de rijaandelen per paar",
    ],
    transitions: "Overgangskansen per periode uit {how} (rijen: van, kolommen: naar; tussen haakjes de klanten die bewogen, van de klanten in de rij), en de instroom van nieuwe klanten",
    corner: "van \\ naar",
    observed: ["waargenomen", "klanten nu"],
    inflow: "instroom",
    projection: "Prognose (verwachte klanten per niveau)",
    periods_ahead: "perioden vooruit",
    steady_state: "evenwicht",
    no_steady_state: "geen evenwicht: geen klant verlaat ooit de piramide, dus de aantallen blijven groeien met de instroom",
    long_run: "aandelen van de klanten op lange termijn: {shares}",
    lifetime: "Klantwaarde per niveau ({basis} per periode, disconto {discount} per periode)",
    lifetime_columns: [
        "niveau",
        "waarde per periode",
        "klantwaarde",
        "perioden tot inactief",
    ],
};

pub(crate) const VALUE_EN: ValueTableTexts = ValueTableTexts {
    rfm_heading: "RFM as of {as_of}: {customers} customers with a purchase before it",
    rfm_columns: ["segment", "customers", "share"],
    rfm_corner: "R \\ F",
    profit_heading: "Profitability {period}: {customers} customers served",
    profit_costs: "interaction costs: {recorded} recorded, {table} from the cost table, {none} without a cost{ignored}",
    profit_ignored: " (recorded costs ignored)",
    whale_axis: "100% of customers",
    profit_summary: "total profit {total}; the top {top} customers ({top_share}) make {peak} of it; {unprofitable} unprofitable customers destroy {destroyed}",
    profit_zero: "total profit is zero: no whale curve",
    profit_columns: ["profit pyramid", "customers", "profit"],
    unprofitable: "unprofitable or zero",
    wallet_heading: "Share of wallet {period}: {with} active customers with a potential, {without} without (share undefined)",
    wallet_months: "potential for the period: {months} of 12 months of the yearly potential (a calendar month is one twelfth)",
    wallet_develop: "Small and Medium customers to develop ({customers} with room to grow), {order}:",
    wallet_orders: [
        "lowest share of wallet first, then most room",
        "most room first",
    ],
    wallet_columns: [
        "develop: customer",
        "level",
        "value",
        "potential",
        "share",
        "room",
    ],
    risk_heading: "Risk {period} against {before}: {customers} active customers with a signal",
    risk_counts: [
        "value fell > {drop}: {n}",
        "dropped a level: {n}",
        "overdue (> {factor} × usual gap): {n}",
        "low P(alive): {n}",
    ],
    risk_below: "{n} (below {below})",
    risk_no_model: "not computed (give --p-alive-model)",
    risk_columns: ["customer", "level", "value", "signals"],
    signals: [
        "value -{drop}",
        "{from} → {to}",
        "{days} days (usual {gap})",
        "P(alive) {p}",
        "other",
    ],
    more: "... and {more} more (--format json or csv lists them all)",
};

pub(crate) const VALUE_NL: ValueTableTexts = ValueTableTexts {
    rfm_heading: "RFM op {as_of}: {customers} klanten met een aankoop daarvoor",
    rfm_columns: ["segment", "klanten", "aandeel"],
    rfm_corner: "R \\ F",
    profit_heading: "Winstgevendheid {period}: {customers} klanten bediend",
    profit_costs: "kosten van interacties: {recorded} vastgelegd, {table} uit de kostentabel, {none} zonder kosten{ignored}",
    profit_ignored: " (vastgelegde kosten genegeerd)",
    whale_axis: "100% van de klanten",
    profit_summary: "totale winst {total}; de beste {top} klanten ({top_share}) maken {peak} daarvan; {unprofitable} verliesgevende klanten kosten {destroyed}",
    profit_zero: "de totale winst is nul: geen walviscurve",
    profit_columns: ["winstpiramide", "klanten", "winst"],
    unprofitable: "geen winst",
    wallet_heading: "Share of wallet {period}: {with} actieve klanten met een potentieel, {without} zonder (aandeel onbepaald)",
    wallet_months: "potentieel voor de periode: {months} van 12 maanden van het jaarpotentieel (een kalendermaand is een twaalfde)",
    wallet_develop: "Kleine en Middelgrote klanten om op te bouwen ({customers} met groeiruimte), {order}:",
    wallet_orders: [
        "laagste share of wallet eerst, dan de meeste ruimte",
        "meeste ruimte eerst",
    ],
    wallet_columns: [
        "opbouwen: klant",
        "niveau",
        "waarde",
        "potentieel",
        "aandeel",
        "ruimte",
    ],
    risk_heading: "Risico {period} t.o.v. {before}: {customers} actieve klanten met een signaal",
    risk_counts: [
        "waarde gedaald > {drop}: {n}",
        "niveau gezakt: {n}",
        "te laat (> {factor} × gewone tussentijd): {n}",
        "lage P(alive): {n}",
    ],
    risk_below: "{n} (onder {below})",
    risk_no_model: "niet berekend (geef --p-alive-model)",
    risk_columns: ["klant", "niveau", "waarde", "signalen"],
    signals: [
        "waarde -{drop}",
        "{from} → {to}",
        "{days} dagen (gewoonlijk {gap})",
        "P(alive) {p}",
        "overig",
    ],
    more: "... en nog {more} (--format json of csv geeft ze allemaal)",
};

pub(crate) const CLV_EN: ClvTableTexts = ClvTableTexts {
    fit_heading: "{model} on {customers} customers ({patterns} distinct histories), time unit: {unit}",
    fit_likelihood: "log-likelihood {ll} after {iterations} iterations",
    fit_columns: ["parameter", "estimate", "std. error"],
    predict_heading: "{model}: expected purchases in the next {horizon} {unit}(s)",
    predict_columns: [
        "customer",
        "frequency",
        "recency",
        "T",
        "P(alive)",
        "P(alive at n+1)",
        "purchases",
        "spend",
        "value",
    ],
    check_heading: "{model}: holdout purchases per customer by calibration frequency",
    check_columns: ["frequency", "customers", "actual", "predicted"],
    tracking_heading: "cumulative repeat purchases (calibration end {date})",
    tracking_columns: ["date", "actual", "predicted"],
    units: [
        ("day", "day"),
        ("week", "week"),
        ("month", "month"),
        ("opportunity", "opportunity"),
        ("days", "days"),
    ],
};

pub(crate) const CLV_NL: ClvTableTexts = ClvTableTexts {
    fit_heading: "{model} op {customers} klanten ({patterns} verschillende histories), tijd in {unit}",
    fit_likelihood: "log-likelihood {ll} na {iterations} iteraties",
    fit_columns: ["parameter", "schatting", "standaardfout"],
    predict_heading: "{model}: verwachte aankopen in de komende {horizon} {unit}",
    predict_columns: [
        "klant",
        "frequentie",
        "recentheid",
        "T",
        "P(alive)",
        "P(alive bij n+1)",
        "aankopen",
        "besteding",
        "waarde",
    ],
    check_heading: "{model}: aankopen per klant na de kalibratie, naar frequentie in de kalibratie",
    check_columns: ["frequentie", "klanten", "werkelijk", "voorspeld"],
    tracking_heading: "cumulatieve herhaalaankopen (einde kalibratie {date})",
    tracking_columns: ["datum", "werkelijk", "voorspeld"],
    units: [
        ("day", "dagen"),
        ("week", "weken"),
        ("month", "maanden"),
        ("opportunity", "gelegenheden"),
        ("days", "dagen"),
    ],
};

pub(crate) const CUSTOMER_EN: CustomerTableTexts = CustomerTableTexts {
    heading: "Customer {key}",
    register: "  register: {stage}{name}",
    potential: "  potential: {potential}",
    not_in_register: "  not in the register",
    levels: "  level per year:",
    value: "value {value}",
    rank: " (rank {rank} of {active})",
    counts: ["  transactions: {n}", "  interactions: {n}", "  leads: {n}"],
    margin: "  margin {margin}",
    stages: [
        ("suspect", "suspect"),
        ("prospect", "prospect"),
        ("customer", "customer"),
    ],
    kinds: [
        ("visit", "visit"),
        ("call", "call"),
        ("email", "email"),
        ("meeting", "meeting"),
        ("quote", "quote"),
        ("complaint", "complaint"),
        ("complaint-resolved", "complaint-resolved"),
        ("campaign-response", "campaign-response"),
        ("other", "other"),
    ],
    lead_stages: [
        ("lead", "lead"),
        ("qualified", "qualified"),
        ("quote", "quote"),
        ("won", "won"),
        ("lost", "lost"),
    ],
};

pub(crate) const CUSTOMER_NL: CustomerTableTexts = CustomerTableTexts {
    heading: "Klant {key}",
    register: "  klantenbestand: {stage}{name}",
    potential: "  potentieel: {potential}",
    not_in_register: "  niet in het klantenbestand",
    levels: "  niveau per jaar:",
    value: "waarde {value}",
    rank: " (rang {rank} van {active})",
    counts: ["  transacties: {n}", "  interacties: {n}", "  leads: {n}"],
    margin: "  marge {margin}",
    stages: [
        ("suspect", "suspect"),
        ("prospect", "prospect"),
        ("customer", "klant"),
    ],
    kinds: [
        ("visit", "bezoek"),
        ("call", "telefoongesprek"),
        ("email", "e-mail"),
        ("meeting", "afspraak"),
        ("quote", "offerte"),
        ("complaint", "klacht"),
        ("complaint-resolved", "klacht opgelost"),
        ("campaign-response", "campagnerespons"),
        ("other", "overig"),
    ],
    lead_stages: [
        ("lead", "lead"),
        ("qualified", "gekwalificeerd"),
        ("quote", "offerte"),
        ("won", "gewonnen"),
        ("lost", "verloren"),
    ],
};

/// The translation of `name` in `pairs`; `name` itself when it is not
/// there.
pub(crate) fn lookup<'a>(pairs: &[(&'static str, &'static str)], name: &'a str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| *k == name)
        .map_or(name, |(_, v)| v)
}
