//! The command line, as clap parses it; validated in the commands.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Customer marketing at the terminal: who are the Top, Big, Medium and
/// Small customers, who is inactive, who is still a prospect.
#[derive(Debug, Parser)]
#[command(name = "crm", version, about, long_about = None)]
pub(crate) struct Cli {
    /// No progress on standard error (shown only when it is a terminal).
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// The customer pyramid of a period, compared with the previous one.
    Pyramid(Box<PyramidArgs>),
    /// How customers moved between pyramid levels from one period to the
    /// next, and the Markov projection over several periods.
    Migration(Box<MigrationArgs>),
    /// What customers are worth: RFM, profitability, share of wallet, risk.
    #[command(subcommand)]
    Value(ValueCommand),
    /// Probabilistic lifetime value: fit BG/NBD, MBG/NBD, Pareto/NBD, BG/BB
    /// or Gamma-Gamma; predict P(alive), purchases and value; check a fit.
    #[command(subcommand)]
    Clv(ClvCommand),
    /// Per customer, the action the rulebook proposes: which of Curry's
    /// five strategies, how urgent, who acts, through which channel, why.
    Actions(Box<ActionsArgs>),
    /// Former customers: how often they come back (from the history) and
    /// who is worth winning back first.
    Winback(Box<WinbackArgs>),
    /// From lead to order: the funnel of the leads created in a period, per
    /// owner or source, the weighted pipeline, stale leads, and the quality
    /// of the customers leads brought.
    Funnel(Box<FunnelArgs>),
    /// Import CSV files into a database (atomic, idempotent by transaction id).
    Import(ImportArgs),
    /// Show one customer's history and level per year.
    Customer(CustomerShowArgs),
    /// Erase every trace of one customer from a database (right to erasure).
    Erase(CustomerArgs),
    /// Export all data of one customer as JSON (right of access).
    ExportCustomer(CustomerArgs),
    /// Write a deterministic, realistic example data set.
    Generate(GenerateArgs),
    /// The whole picture of a period on one self-contained HTML page:
    /// pyramid, migration, value bridge, projection, profit, RFM, share of
    /// wallet, lifetime value; in English or Dutch.
    Report(Box<ReportArgs>),
    /// Complaint handling in a period: received, resolved, open, days to
    /// resolve, the service level, who complained, and whether being heard
    /// kept the complainers.
    Complaints(Box<ComplaintsArgs>),
    /// One page of the figures the method steers by, beside its benchmarks
    /// and, with a plan, beside the targets.
    Scorecard(Box<ScorecardArgs>),
    /// Campaigns: what a campaign changed against its control group.
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Convert a transactions CSV to Parquet (money as DECIMAL with the
    /// scale of the data, dates as DATE) for fast repeated analyses.
    #[cfg(feature = "parquet")]
    Convert(ConvertArgs),
}

#[cfg(feature = "parquet")]
#[derive(Debug, Args)]
pub(crate) struct ConvertArgs {
    /// The transactions CSV (customer_id, date, revenue; margin and
    /// transaction_id optional); `-` for standard input.
    #[arg(long, value_name = "CSV")]
    pub transactions: PathBuf,
    /// The Parquet file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Keep the rows in the order of the CSV, streaming them (two passes,
    /// little memory), instead of sorting them by customer and date (the
    /// default: every row in memory, about 70 bytes a row, for a file the
    /// analyses read several times faster).
    #[arg(long)]
    pub keep_order: bool,
    #[command(flatten)]
    pub csv: CsvArgs,
}

#[derive(Debug, Subcommand)]
pub(crate) enum CampaignCommand {
    /// Response, buyers and revenue of the treated against the control
    /// group, the uplift with its 95% interval, cost per response, and the
    /// pyramid movement of both groups.
    Measure(Box<CampaignMeasureArgs>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned table with the pyramid drawn.
    Table,
    /// The JSON contract (money as decimal strings).
    Json,
    /// CSV with formula protection.
    Csv,
    /// Parquet, the table the CSV has, typed (decimals as DECIMAL with the
    /// scale of the data, dates as DATE), to standard output redirected
    /// to a file; needs crm built with the `parquet` feature.
    Parquet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DevelopByArg {
    /// Lowest share of wallet first; room breaks ties.
    Share,
    /// Most growth room first; share breaks ties.
    Room,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TransitionsArg {
    /// Pooled counts over all pairs (maximum likelihood).
    Pooled,
    /// The average of each pair's row shares.
    AverageOfShares,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum BasisArg {
    /// Revenue, net of credit notes.
    Revenue,
    /// Gross margin, net of credit notes.
    Margin,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DecimalArg {
    /// `.` for `,` and tab files, `,` for `;` files.
    Auto,
    /// 1234.56
    Point,
    /// 1234,56
    Comma,
}

/// How CSV files are read.
#[derive(Debug, Args)]
pub(crate) struct CsvArgs {
    /// Skip bad rows (each reported) instead of stopping at the first.
    #[arg(long)]
    pub lenient: bool,
    /// With --lenient: write skipped rows to this CSV file.
    #[arg(long, value_name = "FILE", requires = "lenient")]
    pub rejects: Option<PathBuf>,
    /// Field delimiter; detected from the header line when absent.
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Decimal separator of amounts.
    #[arg(long, value_enum, default_value_t = DecimalArg::Auto)]
    pub decimal: DecimalArg,
    /// Column names that differ from the defaults, e.g.
    /// `customer_id=klant,date=datum,revenue=omzet`.
    #[arg(long, value_name = "FIELD=HEADER,...")]
    pub columns: Option<String>,
    /// Threads for reading large files, and connections for reading a
    /// database given with --db (0: all cores; at most 1024).
    #[arg(long, default_value_t = 0, value_name = "N",
          value_parser = clap::value_parser!(u16).range(0..=1024))]
    pub threads: u16,
    /// Read a large transactions file by key partitions instead of with a
    /// ledger per thread (the same result; kept to measure the two side
    /// by side).
    #[arg(long, hide = true)]
    pub partitioned: bool,
    /// Parquet transactions: read money from float (FLOAT, DOUBLE)
    /// columns, each value as the decimal its shortest text shows; without
    /// it such a column is an error (money is never binary floating point
    /// silently).
    #[arg(long)]
    pub float_money: bool,
}

/// Where the data comes from: CSV files or a database.
#[derive(Debug, Args)]
pub(crate) struct InputArgs {
    /// Transactions CSV (customer_id, date, revenue; margin optional), or
    /// Parquet: a `*.parquet` file or a folder of them (with the `parquet`
    /// feature).
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present = "db",
        conflicts_with = "db"
    )]
    pub transactions: Option<PathBuf>,
    /// Read everything from this database (see `crm import`) instead of CSV
    /// files: an SQLite file, or a PostgreSQL database as a
    /// `postgres://user@host/db` URL (`?sslmode=require` for TLS).
    #[arg(long, value_name = "FILE|URL", conflicts_with_all = ["customers", "interactions"])]
    pub db: Option<PathBuf>,
    /// Customer register CSV (customer_id; stage and more optional).
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    /// Interactions CSV (customer_id, date, kind).
    #[arg(long, value_name = "FILE")]
    pub interactions: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// The database: an SQLite file, created when missing, or a PostgreSQL
    /// database as a `postgres://user@host/db` URL (the database must
    /// exist; its tables are created on first import).
    #[arg(long, value_name = "FILE|URL")]
    pub db: PathBuf,
    /// Transactions CSV.
    #[arg(long, value_name = "CSV", required_unless_present_any = ["customers", "interactions", "leads", "outcomes"])]
    pub transactions: Option<PathBuf>,
    /// Customer register CSV.
    #[arg(long, value_name = "CSV")]
    pub customers: Option<PathBuf>,
    /// Interactions CSV.
    #[arg(long, value_name = "CSV")]
    pub interactions: Option<PathBuf>,
    /// Leads CSV: one row per stage change (lead_id, customer_id, stage,
    /// date, value; owner, source, lost_reason optional) or one row per
    /// lead (customer_id, stage, value; lead_date ... lost_date optional).
    #[arg(long, value_name = "CSV")]
    pub leads: Option<PathBuf>,
    /// Outcomes of actions CSV (customer, rule, status, date; id and owner
    /// optional), as `crm actions --outcomes` reads them.
    #[arg(long, value_name = "CSV")]
    pub outcomes: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CustomerArgs {
    /// The database: an SQLite file or a `postgres://` URL.
    #[arg(long, value_name = "FILE|URL")]
    pub db: PathBuf,
    /// The customer's key.
    pub key: String,
}

/// `crm customer`: the key and database, and the language.
#[derive(Debug, Args)]
pub(crate) struct CustomerShowArgs {
    #[command(flatten)]
    pub customer: CustomerArgs,
    #[command(flatten)]
    pub lang: LangArg,
}

/// The language of the terminal tables.
#[derive(Debug, Args)]
pub(crate) struct LangArg {
    /// Language of the tables: en or nl (default: from LC_ALL, LC_MESSAGES
    /// or LANG; English otherwise). JSON and CSV are the same in every
    /// language.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

/// How the pyramid levels are cut.
#[derive(Debug, Args)]
pub(crate) struct LevelArgs {
    /// Value basis.
    #[arg(long, value_enum, default_value_t = BasisArg::Revenue)]
    pub basis: BasisArg,
    /// Cumulative percentages of active customers for Top, Big, Medium.
    #[arg(long, value_name = "P,P,P", default_value = "1,5,20", conflicts_with_all = ["value_cuts", "bands"])]
    pub cuts: String,
    /// Cut by cumulative percentages of value instead: 80,95 is ABC
    /// analysis by share of value (A the top customers holding 80% of the
    /// value, B the next 15%, C the rest); not the A/B/C of mutual benefit,
    /// which the data does not hold.
    #[arg(long, value_name = "P,P,P", conflicts_with = "bands")]
    pub value_cuts: Option<String>,
    /// Fixed value bands instead, highest first (e.g. 100000,20000,5000).
    #[arg(long, value_name = "V,V,V")]
    pub bands: Option<String>,
    /// Former buyers whose last purchase is more than this many days before
    /// the period are lost (out of the pyramid) instead of inactive.
    #[arg(long, value_name = "DAYS")]
    pub horizon_days: Option<u32>,
}

#[derive(Debug, Args)]
pub(crate) struct PyramidArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The period: 2024-01-01..2025-01-01 (end excluded), 2024, 2024-Q3 or 2024-07.
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Also list every customer's level, rank and value (with --format csv:
    /// instead of the level table).
    #[arg(long)]
    pub assignments: bool,
    /// Language of the table: en or nl (default: from LC_ALL, LC_MESSAGES
    /// or LANG; English otherwise). JSON and CSV are the same in every
    /// language.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct MigrationArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The earlier period (with --to).
    #[arg(
        long,
        value_name = "PERIOD",
        requires = "to",
        conflicts_with = "periods"
    )]
    pub from: Option<String>,
    /// The later period (with --from).
    #[arg(long, value_name = "PERIOD", requires = "from")]
    pub to: Option<String>,
    /// Consecutive periods for the Markov view: 2021..2025 (years, both
    /// ends included), 2024-Q1..2024-Q4, 2024-01..2024-06, or a comma list.
    #[arg(long, value_name = "LIST", required_unless_present = "from")]
    pub periods: Option<String>,
    /// With --periods: project the pyramid this many periods ahead (at most
    /// 1000).
    #[arg(long, default_value_t = 3, value_name = "K",
          value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub project: u16,
    /// With --periods: discount rate per period for the lifetime value.
    #[arg(long, default_value_t = 0.1, value_name = "RATE")]
    pub discount: f64,
    /// With --periods: how the transition matrix is estimated: `pooled`
    /// (the moves summed over all pairs over the customers summed over all
    /// pairs, the maximum-likelihood estimate) or `average-of-shares` (each
    /// pair's row shares averaged, every pair weighing the same).
    #[arg(long, value_enum, default_value_t = TransitionsArg::Pooled, value_name = "HOW")]
    pub transitions: TransitionsArg,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// With --from/--to: list the customers who moved down or lapsed (to inactive),
    /// most value lost first (with --format csv: instead of the cells).
    #[arg(long)]
    pub risk: bool,
    /// Language of the tables: en or nl (default: from LC_ALL, LC_MESSAGES
    /// or LANG; English otherwise). JSON and CSV are the same in every
    /// language.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// Number of customers (at most 10000000: the data set is made in
    /// memory before it is written, about 550 MiB a million customers over
    /// two years).
    #[arg(long, default_value_t = 1000,
          value_parser = clap::value_parser!(u32).range(0..=10_000_000))]
    pub customers: u32,
    /// Years of history (1 to 100).
    #[arg(long, default_value_t = 5)]
    pub years: u32,
    /// The last year of history.
    #[arg(long, default_value_t = 2025)]
    pub last_year: i32,
    /// Seed: the same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory to write transactions.csv, customers.csv and
    /// interactions.csv into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ValueCommand {
    /// Recency, frequency and monetary scores (1-5) and segments as of a date.
    Rfm(Box<RfmArgs>),
    /// Profit per customer (margin minus cost to serve) and the whale curve.
    Profit(Box<ProfitArgs>),
    /// Share of wallet from the register's potential; who to develop.
    Wallet(Box<WalletArgs>),
    /// Active customers with risk signals, each signal on its own.
    Risk(Box<RiskArgs>),
}

#[derive(Debug, Args)]
pub(crate) struct RfmArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The reference date: purchases before it count (e.g. 2026-01-01).
    #[arg(long, value_name = "DATE")]
    pub as_of: String,
    /// Value basis of M.
    #[arg(long, value_enum, default_value_t = BasisArg::Revenue)]
    pub basis: BasisArg,
    /// Segment rules: TOML (`[[segment]]` tables) or JSON (a list of
    /// objects, or `{"segment": [...]}`), each {name, r = {min, max}, f = {min, max}}
    /// (scores 1 to 5; `r = [min, max]` is read too).
    #[arg(long, value_name = "FILE")]
    pub segments: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub(crate) struct ProfitArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The period: 2024, 2024-Q3, 2024-07 or START..END.
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    /// Cost table (TOML or JSON): handling_per_order, [interactions] cost per
    /// kind for interactions without a recorded cost.
    #[arg(long, value_name = "FILE")]
    pub costs: Option<PathBuf>,
    /// Ignore the interactions' recorded costs and cost every interaction
    /// by its kind in the cost table (as `use_recorded_cost = false` in the
    /// table does).
    #[arg(long)]
    pub ignore_recorded_costs: bool,
    /// Cumulative percentages of profitable customers for the profit pyramid.
    #[arg(long, value_name = "P,P,P", default_value = "1,5,20")]
    pub cuts: String,
    /// Also write the whale curve as SVG to this file.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub(crate) struct WalletArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The period: 2024, 2024-Q3, 2024-07 or START..END.
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// How many Small and Medium customers to develop to list.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,
    /// How to rank the customers to develop: `share` (lowest share of
    /// wallet first, the most room first among equal shares) or `room`
    /// (the most room first).
    #[arg(long, value_enum, default_value_t = DevelopByArg::Share, value_name = "HOW")]
    pub develop_by: DevelopByArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub lang: LangArg,
}

/// A lifetime-value model fitted on every customer's purchase days up to
/// the end of the period, for P(alive) (`crm value risk`, `crm actions`).
#[derive(Debug, Args)]
pub(crate) struct PAliveArgs {
    /// Fit this model (bg-nbd, mbg-nbd or pareto-nbd) on every customer's
    /// purchase days up to the end of the period, for each customer's
    /// probability of still being a customer (P(alive)).
    #[arg(long, value_enum, value_name = "MODEL")]
    pub p_alive_model: Option<PAliveModel>,
    /// With --p-alive-model: L2 penalty on the model's parameters (as in
    /// `crm clv fit`; 0 to 1000).
    #[arg(
        long,
        value_name = "X",
        default_value_t = 0.0,
        requires = "p_alive_model"
    )]
    pub penalizer: f64,
    /// With --p-alive-model: the time unit of the fit (day, week, month or days).
    #[arg(long, default_value = "week", value_name = "UNIT")]
    pub unit: String,
}

#[derive(Debug, Args)]
pub(crate) struct RiskArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The period: 2024, 2024-Q3, 2024-07 or START..END (compared with the previous one).
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// Signal a fall of value beyond this share of the previous period's.
    #[arg(long, default_value_t = 0.3, value_name = "SHARE")]
    pub value_drop: f64,
    /// Signal no purchase for longer than this many times the usual gap.
    #[arg(long, default_value_t = 2.0, value_name = "FACTOR")]
    pub overdue: f64,
    #[command(flatten)]
    pub lifetime: PAliveArgs,
    /// With --p-alive-model: signal P(alive) below this (default 0.3).
    #[arg(long, value_name = "P", requires = "p_alive_model")]
    pub p_alive_below: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub lang: LangArg,
}

#[derive(Debug, Subcommand)]
pub(crate) enum ClvCommand {
    /// Fit a model by maximum likelihood: parameters, standard errors,
    /// log-likelihood.
    Fit(Box<ClvFitArgs>),
    /// Per customer: P(alive), expected purchases over a horizon and, with
    /// --months, expected spend and discounted lifetime value.
    Predict(Box<ClvPredictArgs>),
    /// Check a fit against the holdout window: purchases by calibration
    /// frequency and cumulative tracking, as tables and SVG charts.
    Check(Box<ClvCheckArgs>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ModelArg {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    BgNbd,
    /// MBG/NBD (Batislam et al. 2007).
    MbgNbd,
    /// Pareto/NBD (Schmittlein et al. 1987).
    ParetoNbd,
    /// BG/BB for discrete opportunities (needs --summary).
    BgBb,
    /// Gamma-Gamma spend model.
    GammaGamma,
}

/// The purchase models that give P(alive) from purchase days alone (their
/// command-line names are those of the models, hence the common ending).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
#[allow(clippy::enum_variant_names)]
pub(crate) enum PAliveModel {
    /// BG/NBD (Fader, Hardie & Lee 2005).
    BgNbd,
    /// MBG/NBD (Batislam et al. 2007).
    MbgNbd,
    /// Pareto/NBD (Schmittlein et al. 1987).
    ParetoNbd,
}

impl From<PAliveModel> for ModelArg {
    fn from(m: PAliveModel) -> ModelArg {
        match m {
            PAliveModel::BgNbd => ModelArg::BgNbd,
            PAliveModel::MbgNbd => ModelArg::MbgNbd,
            PAliveModel::ParetoNbd => ModelArg::ParetoNbd,
        }
    }
}

/// Where the purchase histories come from.
#[derive(Debug, Args)]
pub(crate) struct ClvInput {
    /// Transactions CSV (customer_id, date, revenue), summarised per customer.
    #[arg(
        long,
        value_name = "FILE",
        required_unless_present_any = ["summary", "db"],
        conflicts_with_all = ["summary", "db"],
        requires = "calibration_end"
    )]
    pub transactions: Option<PathBuf>,
    /// Read the transactions from this database (see `crm import`) instead.
    #[arg(
        long,
        value_name = "FILE",
        conflicts_with = "summary",
        requires = "calibration_end"
    )]
    pub db: Option<PathBuf>,
    /// Ready summaries CSV: frequency, recency, T (or periods for BG/BB),
    /// optionally monetary_value, weights, customer_id.
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    /// Last day of the calibration window (inclusive), like 1997-09-30.
    #[arg(long, value_name = "DATE")]
    pub calibration_end: Option<String>,
    /// Last day of the holdout window (inclusive).
    #[arg(long, value_name = "DATE", conflicts_with = "summary")]
    pub observation_end: Option<String>,
    /// Time unit: day, week, month (365.25/12 days) or a number of days.
    #[arg(long, value_name = "UNIT", default_value = "week")]
    pub unit: String,
    /// L2 penalty on the parameters (as lifetimes' penalizer_coef; 0 to
    /// 1000).
    #[arg(long, value_name = "X", default_value_t = 0.0)]
    pub penalizer: f64,
    #[command(flatten)]
    pub csv: CsvArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ClvFitArgs {
    /// The model.
    #[arg(long, value_enum)]
    pub model: ModelArg,
    #[command(flatten)]
    pub input: ClvInput,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub(crate) struct ClvPredictArgs {
    /// The purchase model (not gamma-gamma, which --months adds).
    #[arg(long, value_enum)]
    pub model: ModelArg,
    #[command(flatten)]
    pub input: ClvInput,
    /// Horizon for expected purchases, in units (default: a year of them;
    /// for bg-bb, one opportunity); at most 1e9.
    #[arg(long, value_name = "T")]
    pub horizon: Option<f64>,
    /// Also fit Gamma-Gamma and give each customer's expected spend and
    /// lifetime value over this many months (of 365.25/12 days; at most
    /// 1200, a hundred years).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(0..=1200))]
    pub months: Option<u32>,
    /// Discount rate per month for the lifetime value.
    #[arg(long, value_name = "D", default_value_t = 0.01, requires = "months")]
    pub discount: f64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub lang: LangArg,
}

#[derive(Debug, Args)]
pub(crate) struct ClvCheckArgs {
    /// The purchase model.
    #[arg(long, value_enum)]
    pub model: ModelArg,
    #[command(flatten)]
    pub input: ClvInput,
    /// Last calibration frequency with a row of its own (rows are only made
    /// for frequencies present, so any value is cheap).
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub max_frequency: u32,
    /// Write holdout.svg and tracking.svg into this directory.
    #[arg(long, value_name = "DIR")]
    pub svg: Option<PathBuf>,
    /// Output format (table or json).
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    #[command(flatten)]
    pub lang: LangArg,
}

/// Inputs of `crm actions`: like [`InputArgs`], but none is required with
/// `--print-default-rules`.
#[derive(Debug, Args)]
pub(crate) struct ActionsInput {
    /// Transactions CSV (customer_id, date, revenue; margin optional).
    #[arg(long, value_name = "FILE", conflicts_with = "db")]
    pub transactions: Option<PathBuf>,
    /// Read everything from this database (see `crm import`) instead of CSV
    /// files: an SQLite file, or a PostgreSQL database as a
    /// `postgres://user@host/db` URL (`?sslmode=require` for TLS).
    #[arg(long, value_name = "FILE|URL", conflicts_with_all = ["customers", "interactions"])]
    pub db: Option<PathBuf>,
    /// Customer register CSV (stage, segment, potential, consent per channel).
    #[arg(long, value_name = "FILE")]
    pub customers: Option<PathBuf>,
    /// Interactions CSV (customer_id, date, kind): contacts and complaints.
    #[arg(long, value_name = "FILE")]
    pub interactions: Option<PathBuf>,
    #[command(flatten)]
    pub csv: CsvArgs,
}

impl ActionsInput {
    /// The common input flags.
    pub fn input(&self) -> InputArgs {
        InputArgs {
            transactions: self.transactions.clone(),
            db: self.db.clone(),
            customers: self.customers.clone(),
            interactions: self.interactions.clone(),
            csv: CsvArgs {
                lenient: self.csv.lenient,
                rejects: self.csv.rejects.clone(),
                delimiter: self.csv.delimiter.clone(),
                decimal: self.csv.decimal,
                columns: self.csv.columns.clone(),
                threads: self.csv.threads,
                partitioned: self.csv.partitioned,
                float_money: self.csv.float_money,
            },
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct ActionsArgs {
    #[command(flatten)]
    pub input: ActionsInput,
    /// The period whose facts decide: 2025, 2025-Q3, 2025-07 or start..end.
    #[arg(
        long,
        value_name = "PERIOD",
        required_unless_present = "print_default_rules"
    )]
    pub period: Option<String>,
    /// The rulebook (TOML, or JSON by extension); the default rulebook when
    /// absent.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Print the default rulebook (TOML) to start a copy from, and exit.
    #[arg(long, exclusive = true)]
    pub print_default_rules: bool,
    /// Only actions of this strategy (target, acquire, retain, develop, phase-out).
    #[arg(long, value_name = "S")]
    pub strategy: Option<String>,
    /// Only actions of this owner.
    #[arg(long, value_name = "O")]
    pub owner: Option<String>,
    /// A target list for this channel (email, phone, post, visit, meeting):
    /// the customers whose action goes through it; stderr says how many
    /// were left out and why.
    #[arg(long, value_name = "C")]
    pub channel: Option<String>,
    /// With --channel: hold out a control group of K customers or P%,
    /// chosen by a hash seeded with --campaign.
    #[arg(long, value_name = "K|P%", requires_all = ["channel", "campaign", "control_out"])]
    pub control: Option<String>,
    /// With --channel: the campaign the list is for. It names the list in
    /// the output and, with --control, seeds the control group, so the
    /// same campaign holds out the same customers. Without --channel there
    /// is no list, and it is refused.
    #[arg(long, value_name = "NAME", requires = "channel")]
    pub campaign: Option<String>,
    /// With --control: write the control group (CSV) to this file.
    #[arg(long, value_name = "FILE", requires = "control")]
    pub control_out: Option<PathBuf>,
    /// Show what every rule makes of this customer (fired, not fired and
    /// why, undecided and which fact was unknown) instead of the actions.
    #[arg(long, value_name = "KEY")]
    pub explain: Option<String>,
    /// Outcomes of earlier actions (CSV: customer, rule, status, date; id
    /// and owner optional): actions declined recently are not proposed
    /// again, and the acceptance per rule and owner is reported. With --db
    /// and without this, the outcomes stored by `crm import --outcomes`.
    #[arg(long, value_name = "FILE")]
    pub outcomes: Option<PathBuf>,
    /// With outcomes (--outcomes, or stored in --db): a decline keeps the
    /// same rule from the same customer for this many days (default 90; at
    /// most 36,600, a century).
    #[arg(long, value_name = "DAYS",
          value_parser = clap::value_parser!(u32).range(0..=36_600))]
    pub decline_days: Option<u32>,
    /// Cost table (TOML or JSON) for the profit after cost to serve;
    /// without one the profit is the margin.
    #[arg(long, value_name = "FILE")]
    pub costs: Option<PathBuf>,
    /// Leads CSV, for the open leads of prospects.
    #[arg(long, value_name = "FILE")]
    pub leads: Option<PathBuf>,
    /// The facts p_alive (and with --clv-months, clv) from a fitted model;
    /// without it they are unknown.
    #[command(flatten)]
    pub lifetime: PAliveArgs,
    /// With --p-alive-model: also fit Gamma-Gamma and give each customer's
    /// lifetime value over this many months (the fact clv; at most 1200).
    #[arg(long, value_name = "N", requires = "p_alive_model",
          value_parser = clap::value_parser!(u32).range(0..=1200))]
    pub clv_months: Option<u32>,
    /// With --clv-months: discount rate per month for the lifetime value.
    #[arg(
        long,
        value_name = "D",
        default_value_t = 0.01,
        requires = "clv_months"
    )]
    pub clv_discount: f64,
    /// Earlier periods read for the history (previous level, best former
    /// level, periods at a level): the previous calendar years, quarters or
    /// months of a calendar unit, else periods of equal length; at most
    /// 1000.
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub history: u16,
    #[command(flatten)]
    pub levels: LevelArgs,
    #[command(flatten)]
    pub lang: LangArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// With --format table: how many of the most urgent actions to list.
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub limit: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum FunnelByArg {
    /// Per owner of the leads.
    Owner,
    /// Per source of the leads.
    Source,
}

#[derive(Debug, Args)]
pub(crate) struct FunnelArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Leads CSV: one row per stage change (lead_id, customer_id, stage,
    /// date, value, owner, source, lost_reason) or one per lead (stage,
    /// value, lead_date ... lost_date); rows of one lead_id are one lead.
    #[arg(long, value_name = "FILE", conflicts_with = "db")]
    pub leads: Option<PathBuf>,
    /// The period whose new leads are followed: 2025, 2025-Q3, 2025-07 or
    /// START..END; leads are taken as they stood at its end.
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    /// Cut the funnel by owner or by source, beside the total.
    #[arg(long, value_enum, value_name = "owner|source")]
    pub by: Option<FunnelByArg>,
    /// An open lead without a stage change for more than this many days
    /// at the period's end is stale (at most 36,600).
    #[arg(long, value_name = "N", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(0..=36_600))]
    pub stale_days: u32,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// With --format table: how many stale leads to list.
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Language of the table: en or nl (default: from LC_ALL, LC_MESSAGES
    /// or LANG; English otherwise). JSON and CSV are the same in every
    /// language.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct WinbackArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Consecutive periods, oldest first: 2021..2025, 2024-Q1..2024-Q4, or
    /// a comma list; the former customers are those of the last.
    #[arg(long, value_name = "LIST")]
    pub periods: String,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// With --format table: how many former customers to list.
    #[arg(long, value_name = "N", default_value_t = 25)]
    pub limit: usize,
    #[command(flatten)]
    pub lang: LangArg,
}

/// The output flags of the operational commands.
#[derive(Debug, Args)]
pub(crate) struct TableArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Language of the table: en or nl (default: from LC_ALL, LC_MESSAGES
    /// or LANG; English otherwise).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
}

#[derive(Debug, Args)]
pub(crate) struct ComplaintsArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The period: 2024, 2024-Q3, 2024-07 or START..END (end excluded);
    /// retention is measured in the next one (the next calendar year,
    /// quarter or month; otherwise the period of equal length after it).
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    /// The service level: a complaint resolved at most this many days after
    /// it was received is resolved in time (at most 36,600, a century).
    #[arg(long, value_name = "DAYS", default_value_t = 14,
          value_parser = clap::value_parser!(u32).range(0..=36_600))]
    pub sla_days: u32,
    #[command(flatten)]
    pub levels: LevelArgs,
    #[command(flatten)]
    pub out: TableArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ScorecardArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The period: 2024, 2024-Q3, 2024-07 or START..END (end excluded);
    /// compared with the previous calendar year, quarter or month.
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    /// A plan (TOML): `[targets]` with a target per figure name, e.g.
    /// `retention-rate = 0.85`.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Cost table for the profit figure (TOML or JSON, as `crm value
    /// profit --costs`).
    #[arg(long, value_name = "FILE")]
    pub costs: Option<PathBuf>,
    /// The service level of the complaint figures, in days (at most
    /// 36,600).
    #[arg(long, value_name = "DAYS", default_value_t = 14,
          value_parser = clap::value_parser!(u32).range(0..=36_600))]
    pub sla_days: u32,
    /// The campaign of the campaign-response figure (with
    /// --campaign-control), measured as `crm campaign measure` does.
    #[arg(long, value_name = "NAME", requires = "campaign_control")]
    pub campaign: Option<String>,
    /// The control group of --campaign (a CSV with a `customer` column).
    #[arg(long, value_name = "FILE", requires = "campaign")]
    pub campaign_control: Option<PathBuf>,
    /// The window of --campaign, in days (1 to 36,600); only with
    /// --campaign.
    #[arg(long, value_name = "DAYS", default_value_t = 30, requires = "campaign",
          value_parser = clap::value_parser!(u32).range(1..=36_600))]
    pub window_days: u32,
    #[command(flatten)]
    pub levels: LevelArgs,
    #[command(flatten)]
    pub out: TableArgs,
}

#[derive(Debug, Args)]
pub(crate) struct CampaignMeasureArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// The campaign: the `campaign` of its `campaign-sent` interactions.
    #[arg(long, value_name = "NAME")]
    pub campaign: String,
    /// The control group: a CSV with a `customer` (or `customer_id`)
    /// column, such as the file of `crm actions --control-out`.
    #[arg(long = "control-file", value_name = "FILE")]
    pub control_file: PathBuf,
    /// Days after the send (day 0) in which a purchase or a response
    /// counts; day 30 of a 30-day window counts, day 31 does not (1 to
    /// 36,600).
    #[arg(long, value_name = "DAYS", default_value_t = 30,
          value_parser = clap::value_parser!(u32).range(1..=36_600))]
    pub window_days: u32,
    /// The period before the campaign for the pyramid movement (default:
    /// the calendar year before the first send).
    #[arg(long, value_name = "PERIOD")]
    pub from: Option<String>,
    /// The period after (default: the calendar year of the first send).
    #[arg(long, value_name = "PERIOD")]
    pub to: Option<String>,
    #[command(flatten)]
    pub levels: LevelArgs,
    #[command(flatten)]
    pub out: TableArgs,
}

#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    #[command(flatten)]
    pub input: InputArgs,
    /// Leads CSV (one row per lead, or one per stage change) for the
    /// funnel section; with --db the database's leads are used.
    #[arg(long, value_name = "FILE", conflicts_with = "db")]
    pub leads: Option<PathBuf>,
    /// A plan (TOML): `[targets]` with a target per figure name, shown
    /// beside the scorecard's figures.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// The rulebook of the actions section (TOML, or JSON by extension),
    /// as `crm actions --rules`; the default rulebook when absent.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Earlier periods read for the actions' history (previous level, best
    /// former level, periods at a level), as `crm actions --history`: the
    /// previous calendar years, quarters or months of a calendar unit;
    /// at most 1000.
    #[arg(long, value_name = "N", default_value_t = 2,
          value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub history: u16,
    /// The service level of the complaints section, in days (at most
    /// 36,600).
    #[arg(long, value_name = "DAYS", default_value_t = 14,
          value_parser = clap::value_parser!(u32).range(0..=36_600))]
    pub sla_days: u32,
    /// A campaign to measure against its control group (with
    /// --campaign-control), as `crm campaign measure` does: the
    /// interactions and transactions are read a second time for it.
    #[arg(long, value_name = "NAME", requires = "campaign_control")]
    pub campaign: Option<String>,
    /// The control group of --campaign (a CSV with a `customer` column,
    /// such as the file of `crm actions --control-out`).
    #[arg(
        long,
        visible_alias = "control",
        value_name = "FILE",
        requires = "campaign"
    )]
    pub campaign_control: Option<PathBuf>,
    /// The window of --campaign, in days (1 to 36,600); only with
    /// --campaign.
    #[arg(long, value_name = "DAYS", default_value_t = 30, requires = "campaign",
          value_parser = clap::value_parser!(u32).range(1..=36_600))]
    pub window_days: u32,
    /// The period of the report: 2025, 2025-Q3, 2025-07 or START..END.
    #[arg(long, value_name = "PERIOD")]
    pub period: String,
    /// The period to compare with (default: the previous year, quarter or
    /// month).
    #[arg(long, value_name = "PERIOD")]
    pub from: Option<String>,
    /// Consecutive periods for the Markov projection: 2021..2025 (both ends
    /// included), 2024-Q1..2024-Q4, or a comma list.
    #[arg(long, value_name = "LIST")]
    pub periods: Option<String>,
    /// With --periods: project the pyramid this many periods ahead (at most
    /// 1000).
    #[arg(long, default_value_t = 3, value_name = "K",
          value_parser = clap::value_parser!(u16).range(0..=1000))]
    pub project: u16,
    /// With --periods: discount rate per period for the lifetime value.
    #[arg(long, default_value_t = 0.1, value_name = "RATE")]
    pub discount: f64,
    /// Check the lifetime-value model: fit it on the purchases up to this
    /// day (inclusive) and compare with the purchases after it.
    #[arg(long, value_name = "DATE")]
    pub calibration_end: Option<String>,
    #[command(flatten)]
    pub levels: LevelArgs,
    /// Language of the page: en or nl (default: from LC_ALL, LC_MESSAGES
    /// or LANG; English otherwise).
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// The HTML file to write.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

impl InputArgs {
    fn inputs(&self) -> Vec<&std::path::Path> {
        [&self.transactions, &self.customers, &self.interactions]
            .into_iter()
            .flatten()
            .map(PathBuf::as_path)
            .collect()
    }
}

impl Command {
    /// The files the command reads (each may be `-`, standard input);
    /// databases are not among them.
    pub(crate) fn inputs(&self) -> Vec<&std::path::Path> {
        fn paths<'a>(list: &[&'a Option<PathBuf>]) -> Vec<&'a std::path::Path> {
            list.iter().filter_map(|p| p.as_deref()).collect()
        }
        match self {
            Command::Pyramid(a) => a.input.inputs(),
            Command::Migration(a) => a.input.inputs(),
            Command::Value(ValueCommand::Rfm(a)) => {
                let mut v = a.input.inputs();
                v.extend(paths(&[&a.segments]));
                v
            }
            Command::Value(ValueCommand::Profit(a)) => {
                let mut v = a.input.inputs();
                v.extend(paths(&[&a.costs]));
                v
            }
            Command::Value(ValueCommand::Wallet(a)) => a.input.inputs(),
            Command::Value(ValueCommand::Risk(a)) => a.input.inputs(),
            Command::Clv(ClvCommand::Fit(a)) => paths(&[&a.input.transactions, &a.input.summary]),
            Command::Clv(ClvCommand::Predict(a)) => {
                paths(&[&a.input.transactions, &a.input.summary])
            }
            Command::Clv(ClvCommand::Check(a)) => paths(&[&a.input.transactions, &a.input.summary]),
            Command::Import(a) => {
                paths(&[&a.customers, &a.interactions, &a.leads, &a.transactions])
            }
            Command::Actions(a) => {
                let i = &a.input;
                paths(&[&i.transactions, &i.customers, &i.interactions, &a.leads])
            }
            Command::Winback(a) => a.input.inputs(),
            Command::Funnel(a) => {
                let mut v = a.input.inputs();
                v.extend(paths(&[&a.leads]));
                v
            }
            Command::Complaints(a) => a.input.inputs(),
            Command::Scorecard(a) => {
                let mut v = a.input.inputs();
                v.extend(paths(&[&a.campaign_control]));
                v
            }
            Command::Campaign(CampaignCommand::Measure(a)) => {
                let mut v = a.input.inputs();
                v.push(a.control_file.as_path());
                v
            }
            Command::Report(a) => {
                let mut v = a.input.inputs();
                v.extend(paths(&[&a.leads, &a.plan, &a.campaign_control]));
                v
            }
            #[cfg(feature = "parquet")]
            Command::Convert(a) => vec![a.transactions.as_path()],
            Command::Customer(_)
            | Command::Erase(_)
            | Command::ExportCustomer(_)
            | Command::Generate(_) => Vec::new(),
        }
    }
}

impl Command {
    /// The files the command writes besides standard output (rejects
    /// files, pages, charts, lists); directories are not among them.
    pub(crate) fn outputs(&self) -> Vec<&std::path::Path> {
        let out: Vec<Option<&PathBuf>> = match self {
            Command::Pyramid(a) => vec![a.input.csv.rejects.as_ref()],
            Command::Migration(a) => vec![a.input.csv.rejects.as_ref()],
            Command::Value(ValueCommand::Rfm(a)) => vec![a.input.csv.rejects.as_ref()],
            Command::Value(ValueCommand::Profit(a)) => {
                vec![a.input.csv.rejects.as_ref(), a.svg.as_ref()]
            }
            Command::Value(ValueCommand::Wallet(a)) => vec![a.input.csv.rejects.as_ref()],
            Command::Value(ValueCommand::Risk(a)) => vec![a.input.csv.rejects.as_ref()],
            Command::Clv(ClvCommand::Fit(a)) => vec![a.input.csv.rejects.as_ref()],
            Command::Clv(ClvCommand::Predict(a)) => vec![a.input.csv.rejects.as_ref()],
            Command::Clv(ClvCommand::Check(a)) => vec![a.input.csv.rejects.as_ref()],
            Command::Import(a) => vec![a.csv.rejects.as_ref()],
            Command::Actions(a) => vec![a.input.csv.rejects.as_ref(), a.control_out.as_ref()],
            Command::Winback(a) => vec![a.input.csv.rejects.as_ref()],
            Command::Funnel(a) => vec![a.input.csv.rejects.as_ref()],
            Command::Complaints(a) => vec![a.input.csv.rejects.as_ref()],
            Command::Scorecard(a) => vec![a.input.csv.rejects.as_ref()],
            Command::Campaign(CampaignCommand::Measure(a)) => vec![a.input.csv.rejects.as_ref()],
            Command::Report(a) => vec![a.input.csv.rejects.as_ref(), Some(&a.out)],
            #[cfg(feature = "parquet")]
            Command::Convert(a) => vec![a.csv.rejects.as_ref(), Some(&a.out)],
            Command::Customer(_)
            | Command::Erase(_)
            | Command::ExportCustomer(_)
            | Command::Generate(_) => Vec::new(),
        };
        out.into_iter().flatten().map(PathBuf::as_path).collect()
    }

    /// Every file the command reads: [`Command::inputs`], the databases and
    /// the configuration files.
    pub(crate) fn reads(&self) -> Vec<&std::path::Path> {
        let mut v = self.inputs();
        let extra: Vec<Option<&PathBuf>> = match self {
            Command::Pyramid(a) => vec![a.input.db.as_ref()],
            Command::Migration(a) => vec![a.input.db.as_ref()],
            Command::Value(ValueCommand::Rfm(a)) => vec![a.input.db.as_ref()],
            Command::Value(ValueCommand::Profit(a)) => vec![a.input.db.as_ref()],
            Command::Value(ValueCommand::Wallet(a)) => vec![a.input.db.as_ref()],
            Command::Value(ValueCommand::Risk(a)) => vec![a.input.db.as_ref()],
            Command::Clv(ClvCommand::Fit(a)) => vec![a.input.db.as_ref()],
            Command::Clv(ClvCommand::Predict(a)) => vec![a.input.db.as_ref()],
            Command::Clv(ClvCommand::Check(a)) => vec![a.input.db.as_ref()],
            Command::Import(a) => vec![Some(&a.db), a.outcomes.as_ref()],
            Command::Actions(a) => vec![
                a.input.db.as_ref(),
                a.rules.as_ref(),
                a.outcomes.as_ref(),
                a.costs.as_ref(),
            ],
            Command::Winback(a) => vec![a.input.db.as_ref()],
            Command::Funnel(a) => vec![a.input.db.as_ref()],
            Command::Complaints(a) => vec![a.input.db.as_ref()],
            Command::Scorecard(a) => vec![a.input.db.as_ref(), a.plan.as_ref(), a.costs.as_ref()],
            Command::Campaign(CampaignCommand::Measure(a)) => vec![a.input.db.as_ref()],
            Command::Report(a) => vec![a.input.db.as_ref()],
            #[cfg(feature = "parquet")]
            Command::Convert(_) => Vec::new(),
            Command::Customer(_)
            | Command::Erase(_)
            | Command::ExportCustomer(_)
            | Command::Generate(_) => Vec::new(),
        };
        v.extend(extra.into_iter().flatten().map(PathBuf::as_path));
        v
    }
}
