//! `crm clv`: probabilistic lifetime value (fit, predict, check).

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use crm::NaiveDate;
use crm::clv::checks::{Series, holdout_by_frequency, svg_chart, tracking};
use crm::clv::{
    BgBb, BgNbd, Error as ClvError, Fit, FitOptions, GammaGamma, LeftOut, LifetimeOptions, MbgNbd,
    Parameters, ParetoNbd, PurchaseModel, Summaries, Summary, SummaryBuilder, TimeUnit,
    lifetime_value,
};
use serde::Serialize;

use crate::args::{
    ClvCheckArgs, ClvCommand, ClvFitArgs, ClvInput, ClvPredictArgs, Format, InputArgs, ModelArg,
    PAliveArgs,
};
use crate::input::import_options;
use crate::options::usage;
use crate::output::{count_in, csv_table, fill, fixed, grid, weight_in, write_json as json};
use crate::{Failure, Outcome};

pub(crate) fn run(c: ClvCommand) -> Outcome {
    let format = match &c {
        ClvCommand::Fit(a) => a.format,
        ClvCommand::Predict(a) => a.format,
        ClvCommand::Check(a) => a.format,
    };
    let mut out = crate::output::stdout_for(format)?;
    match c {
        ClvCommand::Fit(a) => fit(*a, &mut out)?,
        ClvCommand::Predict(a) => predict(*a, &mut out)?,
        ClvCommand::Check(a) => check(*a, &mut out)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}

fn name(m: ModelArg) -> &'static str {
    match m {
        ModelArg::BgNbd => BgNbd::MODEL,
        ModelArg::MbgNbd => MbgNbd::MODEL,
        ModelArg::ParetoNbd => ParetoNbd::MODEL,
        ModelArg::BgBb => BgBb::MODEL,
        ModelArg::GammaGamma => GammaGamma::MODEL,
    }
}

/// The histories to fit on.
struct Input {
    customers: Vec<Summary>,
    unit: TimeUnit,
    /// When made from transactions: the windows and the timeline (its
    /// customers are in `customers`).
    summaries: Option<Summaries>,
    options: FitOptions,
}

fn date(flag: &str, s: &str) -> Result<NaiveDate, Failure> {
    s.parse()
        .map_err(|_| usage(format!("{flag}: {s:?} is not a date like 1997-09-30")))
}

/// The largest `--penalizer`: far beyond it the penalty alone decides the
/// parameters (and its slope leaves the range of f64).
const MAX_PENALIZER: f64 = 1000.0;

/// The fit options of a `--penalizer` flag.
pub(crate) fn fit_options(penalizer: f64) -> Result<FitOptions, Failure> {
    if !(0.0..=MAX_PENALIZER).contains(&penalizer) {
        let shown = if penalizer.abs() >= 1e6 {
            format!("{penalizer:e}")
        } else {
            penalizer.to_string()
        };
        return Err(usage(format!(
            "--penalizer: {shown} is not a number from 0 to {MAX_PENALIZER}"
        )));
    }
    FitOptions::new()
        .penalizer(penalizer)
        .map_err(|e| usage(format!("--penalizer: {e}")))
}

fn load(input: &ClvInput, model: ModelArg) -> Result<Input, Failure> {
    let unit: TimeUnit = input
        .unit
        .parse()
        .map_err(|e| usage(format!("--unit: {e}")))?;
    let options = fit_options(input.penalizer)?;
    if let Some(path) = &input.summary {
        let customers = crm::clv::read_summaries_from(
            crate::input::open_input(path)?,
            crate::input::name_of(path),
        )
        .map_err(anyhow::Error::from)?;
        return Ok(Input {
            customers,
            unit,
            summaries: None,
            options,
        });
    }
    if input.transactions.is_none() && input.db.is_none() {
        return Err(usage("give --transactions, --db or --summary"));
    }
    if model == ModelArg::BgBb {
        return Err(usage(
            "bg-bb needs --summary with frequency, recency and periods (discrete opportunities)",
        ));
    }
    let cal = date(
        "--calibration-end",
        input.calibration_end.as_deref().unwrap_or_default(),
    )?;
    let mut builder = SummaryBuilder::new(cal, unit);
    if let Some(end) = &input.observation_end {
        builder = builder
            .observation_end(date("--observation-end", end)?)
            .map_err(usage)?;
    }
    if let Some(db) = &input.db {
        let store = crate::input::open_read_only(db)?;
        let mut failed = None;
        crm::store::Store::sales(&*store, None, &mut |batch| {
            for s in batch {
                if failed.is_none()
                    && let Err(e) = builder.add_sale(s.key, s.date, s.revenue.as_decimal())
                {
                    failed = Some(e);
                }
            }
        })
        .with_context(|| format!("cannot read {}", crate::input::shown(db)))?;
        if let Some(e) = failed {
            return Err(Failure::Data(
                anyhow::Error::from(e).context(crate::input::shown(db)),
            ));
        }
    } else if let Some(path) = &input.transactions {
        read_transactions_into(path, input, &mut builder)?;
    }
    let mut s = builder.finish().map_err(anyhow::Error::from)?;
    if s.not_purchases > 0 {
        note!(
            "crm: {} transactions with negative revenue (credit notes) are not purchases",
            s.not_purchases
        );
    }
    if s.after_end > 0 {
        note!(
            "crm: {} purchases after the last window end are not counted",
            s.after_end
        );
    }
    if s.first_after_calibration > 0 {
        note!(
            "crm: {} customers first bought after the calibration end and have no summary",
            s.first_after_calibration
        );
    }
    Ok(Input {
        // The customers move out; the rest (windows, timeline) stays.
        customers: std::mem::take(&mut s.customers),
        unit,
        summaries: Some(s),
        options,
    })
}

/// P(alive) and the lifetime value (if asked for) per customer key.
pub(crate) type LifetimeByKey = std::collections::HashMap<String, (f64, Option<f64>)>;

/// P(alive) at the end of `period_end` (exclusive) of every customer of
/// `ledger` with a purchase before it, from `model` fitted on their purchase
/// days; with `clv` (months, monthly discount), also Gamma-Gamma's
/// lifetime value over those months (`None` for a customer Gamma-Gamma
/// leaves out: no repeat purchase).
///
/// The ledger keeps no spend per purchase day, so for the lifetime value
/// the summaries are read again from `input`'s transactions (as `crm clv
/// predict` reads them), and both models are fitted on those.
pub(crate) fn lifetime_by_key(
    a: &PAliveArgs,
    ledger: &crm::Ledger,
    period_end: NaiveDate,
    clv: Option<(u32, f64, &InputArgs)>,
) -> Result<Option<LifetimeByKey>, Failure> {
    let Some(model) = a.p_alive_model.map(ModelArg::from) else {
        return Ok(None);
    };
    if let Some((_, d, _)) = clv
        && !(d.is_finite() && d > -1.0)
    {
        return Err(usage(format!("--clv-discount: {d} is not a rate above -1")));
    }
    let options = fit_options(a.penalizer)?;
    let unit: TimeUnit = a.unit.parse().map_err(|e| usage(format!("--unit: {e}")))?;
    let last = period_end.pred_opt().unwrap_or(period_end);
    let data = match clv {
        Some((_, _, input)) => {
            if input
                .transactions
                .as_deref()
                .is_some_and(crate::input::is_stdin)
            {
                return Err(usage(
                    "--clv-months reads the transactions a second time: give a file, not standard input",
                ));
            }
            let again = ClvInput {
                transactions: input.transactions.clone(),
                db: input.db.clone(),
                summary: None,
                calibration_end: Some(last.to_string()),
                observation_end: None,
                unit: a.unit.clone(),
                penalizer: a.penalizer,
                csv: crate::args::CsvArgs {
                    // Rejects were reported by the first reading.
                    rejects: None,
                    delimiter: input.csv.delimiter.clone(),
                    columns: input.csv.columns.clone(),
                    ..input.csv
                },
            };
            load(&again, model)?.customers
        }
        None => crm::clv::from_ledger(ledger, last, unit).map_err(anyhow::Error::from)?,
    };
    let f = fit_model(model, &data, &options)?;
    let m = f.purchase.as_deref().context("not a purchase model")?;
    let spend = match clv {
        Some(_) => {
            let g = fit_model(ModelArg::GammaGamma, &data, &options)?;
            left_out_note(&g);
            g.spend
        }
        None => None,
    };
    let lifetime_options = match clv {
        Some((months, discount, _)) => Some(
            LifetimeOptions::new(unit)
                .months(months)
                .discount(discount)
                .map_err(|e| Failure::Usage(format!("--clv-discount: {e}")))?,
        ),
        None => None,
    };
    let mut map = std::collections::HashMap::with_capacity(data.len());
    let (mut unknown, mut first) = (0u64, None);
    for c in &data {
        let who = || format!("customer {}", c.key);
        let p = m.p_alive(c).with_context(who)?;
        let value = match (spend, &lifetime_options) {
            (Some(g), Some(o)) => match g.expected_spend(c) {
                Ok(s) => Some(
                    lifetime_value(m, c, s, o)
                        .map_err(clv_error)
                        .with_context(who)?,
                ),
                // No spend (no repeat purchase, or a fit without a
                // finite mean): the value stays unknown, and is counted.
                Err(e) => {
                    unknown += 1;
                    first.get_or_insert_with(|| format!("{}: {}", who(), clv_error(e)));
                    None
                }
            },
            _ => None,
        };
        map.insert(c.key.clone(), (p, value));
    }
    if let Some(first) = first {
        note!(
            "crm: warning: clv unknown for {unknown} of {} customers (first: {})",
            data.len(),
            crate::output::sanitize(&first)
        );
    }
    Ok(Some(map))
}

/// Streams a transactions CSV file into `builder`, reporting skipped rows.
fn read_transactions_into(
    path: &Path,
    input: &ClvInput,
    builder: &mut SummaryBuilder,
) -> Result<(), Failure> {
    if crate::input::is_parquet(path) {
        return Err(usage(format!(
            "--transactions {}: crm clv reads CSV or --db; convert Parquet to CSV first",
            path.display()
        )));
    }
    let csv_options = import_options(&input.csv)?;
    let progress = crate::progress::bytes(
        format!("reading {}", crate::input::name_of(path).display()),
        crate::progress::size_of(path),
    );
    let f = progress.reader(crate::input::open_input(path)?);
    let path = crate::input::name_of(path);
    let mut records =
        crm::csv::transactions(f, path, &csv_options).context("cannot read the transactions")?;
    for t in records.by_ref() {
        let t = t.context("cannot read the transactions")?;
        builder
            .add(&t)
            .with_context(|| format!("{}", path.display()))?;
    }
    let rejects = records.rejects();
    if !rejects.is_empty() {
        note!(
            "crm: {}: {} bad rows skipped",
            crate::output::sanitize(&path.display().to_string()),
            rejects.len()
        );
        for r in rejects.iter().take(5) {
            note!("crm:   {}", crate::output::sanitize(&r.to_string()));
        }
        if let Some(file) = &input.csv.rejects {
            crm::csv::write_rejects(file, rejects)
                .with_context(|| format!("cannot write the rejects file {}", file.display()))?;
        }
    }
    Ok(())
}

/// A fitted model, whatever its kind.
struct Fitted {
    model: &'static str,
    names: &'static [&'static str],
    values: Vec<f64>,
    std_errors: Option<Vec<f64>>,
    log_likelihood: f64,
    customers: f64,
    patterns: usize,
    iterations: usize,
    left_out: Option<LeftOut>,
    /// The library's fit, printed by `--format json` (its contract).
    fit: AnyFit,
    purchase: Option<Box<dyn PurchaseModel>>,
    spend: Option<GammaGamma>,
}

/// The library's fit of any model, serialised as the library does.
#[derive(Serialize)]
#[serde(untagged)]
enum AnyFit {
    BgNbd(Fit<BgNbd>),
    MbgNbd(Fit<MbgNbd>),
    ParetoNbd(Fit<ParetoNbd>),
    BgBb(Fit<BgBb>),
    GammaGamma(Fit<GammaGamma>),
}

macro_rules! any_fit {
    ($($model:ident),+) => {
        $(impl From<&Fit<$model>> for AnyFit {
            fn from(f: &Fit<$model>) -> AnyFit {
                AnyFit::$model(f.clone())
            }
        })+
    };
}
any_fit!(BgNbd, MbgNbd, ParetoNbd, BgBb, GammaGamma);

/// What every fit reports; the model itself is added by the caller.
fn fitted<M: Parameters>(f: &Fit<M>) -> Fitted
where
    for<'a> &'a Fit<M>: Into<AnyFit>,
{
    Fitted {
        fit: f.into(),
        model: M::MODEL,
        names: M::NAMES,
        values: f.model.values(),
        std_errors: f.std_errors.clone(),
        log_likelihood: f.log_likelihood,
        customers: f.customers,
        patterns: f.patterns,
        iterations: f.iterations,
        left_out: None,
        purchase: None,
        spend: None,
    }
}

fn purchase<M: Parameters + PurchaseModel + 'static>(f: Fit<M>) -> Fitted
where
    for<'a> &'a Fit<M>: Into<AnyFit>,
{
    let mut out = fitted(&f);
    out.purchase = Some(Box::new(f.model));
    out
}

fn fit_model(model: ModelArg, data: &[Summary], options: &FitOptions) -> anyhow::Result<Fitted> {
    let _step = crate::progress::step(format!(
        "fitting {} on {} customers",
        name(model),
        data.len()
    ));
    // The library's errors name the model ("cannot fit bg-nbd: ...",
    // "bg-nbd did not converge: ..."), except a bad summary row.
    let what = |e: ClvError| match e {
        ClvError::Degenerate { .. } | ClvError::NoConvergence { .. } => anyhow::Error::from(e),
        e => anyhow::Error::from(clv_error(e)).context(format!("cannot fit {}", name(model))),
    };
    Ok(match model {
        ModelArg::BgNbd => purchase(BgNbd::fit(data, options).map_err(what)?),
        ModelArg::MbgNbd => purchase(MbgNbd::fit(data, options).map_err(what)?),
        ModelArg::ParetoNbd => purchase(ParetoNbd::fit(data, options).map_err(what)?),
        ModelArg::BgBb => purchase(BgBb::fit(data, options).map_err(what)?),
        ModelArg::GammaGamma => {
            let (f, left) = GammaGamma::fit(data, options).map_err(what)?;
            let mut out = fitted(&f);
            out.left_out = Some(left);
            out.spend = Some(f.model);
            out
        }
    })
}

/// A library error as users should read it: a series that cannot be summed
/// says what that means for them, not which 2F1 failed.
fn clv_error(e: ClvError) -> ClvError {
    match e {
        ClvError::Series(_) => ClvError::InvalidArgument(
            "the model cannot be evaluated for these parameters and this horizon (its \
             hypergeometric series does not converge); try a shorter horizon or a --penalizer"
                .into(),
        ),
        e => e,
    }
}

/// `crm clv fit --format json`: the library's [`Fit`], with the time unit
/// and, for Gamma-Gamma, the customers left out.
#[derive(Serialize)]
struct FitJson<'a> {
    #[serde(flatten)]
    fit: &'a AnyFit,
    unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    left_out: Option<&'a LeftOut>,
}

/// Says on stderr which parameters the data hardly determine.
fn identification_note(f: &Fitted) {
    match &f.std_errors {
        None => note!(
            "crm: note: {}: the likelihood is flat at the maximum in some direction, so no standard errors",
            f.model
        ),
        Some(se) => {
            let loose: Vec<&str> = f
                .names
                .iter()
                .zip(se.iter().zip(&f.values))
                .filter(|(_, (s, v))| **s > **v)
                .map(|(n, _)| *n)
                .collect();
            if !loose.is_empty() {
                note!(
                    "crm: note: {}: {} poorly determined (standard error above the estimate); a --penalizer keeps such parameters moderate",
                    f.model,
                    loose.join(", ")
                );
            }
        }
    }
}

fn left_out_note(f: &Fitted) {
    if let Some(l) = f.left_out
        && (l.no_repeat > 0.0 || l.non_positive_spend > 0.0)
    {
        note!(
            "crm: gamma-gamma left out {} customers without a repeat purchase and {} with a mean spend <= 0",
            l.no_repeat,
            l.non_positive_spend
        );
    }
}

fn table_format(format: Format, what: &str) -> Result<(), Failure> {
    if matches!(format, Format::Csv | Format::Parquet) {
        return Err(usage(format!("{what}: --format is table or json")));
    }
    Ok(())
}

fn fit(a: ClvFitArgs, out: &mut impl Write) -> Outcome {
    table_format(a.format, "clv fit")?;
    let input = load(&a.input, a.model)?;
    let f = fit_model(a.model, &input.customers, &input.options)?;
    left_out_note(&f);
    identification_note(&f);
    let unit = if a.model == ModelArg::BgBb {
        "opportunity".to_string()
    } else {
        input.unit.to_string()
    };
    if a.format == Format::Json {
        let j = FitJson {
            fit: &f.fit,
            unit,
            left_out: f.left_out.as_ref(),
        };
        return Ok(json(out, &j)?);
    }
    let lang = crate::options::lang(a.lang.lang.as_deref())?;
    let tt = &lang.texts().clv_table;
    let customers = weight_in(lang, f.customers);
    writeln!(
        out,
        "{}",
        fill(
            tt.fit_heading,
            &[
                ("model", f.model),
                ("customers", &customers),
                ("patterns", &count_in(lang, f.patterns as u64)),
                ("unit", &lang.unit(&unit)),
            ]
        )
    )
    .context("cannot write the output")?;
    writeln!(
        out,
        "{}",
        fill(
            tt.fit_likelihood,
            &[
                ("ll", &fixed(lang, f.log_likelihood, 2)),
                ("iterations", &count_in(lang, f.iterations as u64)),
            ]
        )
    )
    .context("cannot write the output")?;
    let mut t = grid();
    t.set_header(tt.fit_columns);
    for (i, n) in f.names.iter().enumerate() {
        let se = f
            .std_errors
            .as_ref()
            .and_then(|s| s.get(i))
            .map_or("-".to_string(), |s| fixed(lang, *s, 4));
        let v = f
            .values
            .get(i)
            .map_or(String::new(), |v| fixed(lang, *v, 4));
        t.add_row([n.to_string(), v, se]);
    }
    writeln!(out, "{t}").context("cannot write the output")?;
    Ok(())
}

#[derive(Serialize)]
struct PredictionJson<'a> {
    customer: &'a str,
    frequency: u32,
    recency: f64,
    /// `T` in the literature; `t` as in the library's `Summary`.
    t: f64,
    p_alive: f64,
    /// BG/BB: the opportunity P(alive) refers to (the next one, n + 1).
    #[serde(skip_serializing_if = "Option::is_none")]
    p_alive_at: Option<f64>,
    expected_purchases: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected_spend: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    clv: Option<f64>,
}

#[derive(Serialize)]
struct PredictJson<'a> {
    model: &'static str,
    horizon: f64,
    unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    months: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    discount: Option<f64>,
    customers: Vec<PredictionJson<'a>>,
}

/// The longest `--horizon`, in time units.
const MAX_HORIZON: f64 = 1e9;

fn predict(a: ClvPredictArgs, out: &mut impl Write) -> Outcome {
    if a.model == ModelArg::GammaGamma {
        return Err(usage(
            "predict needs a purchase model; --months adds gamma-gamma",
        ));
    }
    if a.months.is_some() && a.model == ModelArg::BgBb {
        return Err(usage(
            "--months: lifetime value needs a continuous-time purchase model",
        ));
    }
    if !(a.discount.is_finite() && a.discount > -1.0) {
        return Err(usage(format!(
            "--discount: {} is not a rate above -1",
            a.discount
        )));
    }
    let input = load(&a.input, a.model)?;
    let horizon = match a.horizon {
        Some(h) if h.is_finite() && (0.0..=MAX_HORIZON).contains(&h) => h,
        Some(h) => {
            return Err(usage(format!(
                "--horizon: {h} is not a number from 0 to {MAX_HORIZON:e}"
            )));
        }
        None if a.model == ModelArg::BgBb => 1.0,
        None => input.unit.from_days(365.25),
    };
    let f = fit_model(a.model, &input.customers, &input.options)?;
    let purchase = f.purchase.as_deref().context("not a purchase model")?;
    let spend = match a.months {
        Some(_) => {
            let g = fit_model(ModelArg::GammaGamma, &input.customers, &input.options)?;
            left_out_note(&g);
            g.spend
        }
        None => None,
    };
    let mut rows = Vec::with_capacity(input.customers.len());
    let progress = crate::progress::items(
        format!("predicting {} customers", input.customers.len()),
        input.customers.len() as u64,
    );
    for (i, c) in input.customers.iter().enumerate() {
        progress.inc(1);
        let who = || {
            if c.key.is_empty() {
                format!("row {}", i + 1)
            } else {
                format!("customer {}", c.key)
            }
        };
        let p_alive = purchase.p_alive(c).map_err(clv_error).with_context(who)?;
        let expected_purchases = purchase
            .expected_purchases(c, horizon)
            .map_err(clv_error)
            .with_context(who)?;
        let (expected_spend, clv) = match (spend, a.months) {
            (Some(g), Some(months)) => {
                let s = g.expected_spend(c).map_err(clv_error).with_context(who)?;
                let options = LifetimeOptions::new(input.unit)
                    .months(months)
                    .discount(a.discount)
                    .map_err(clv_error)
                    .with_context(who)?;
                let v = lifetime_value(purchase, c, s, &options)
                    .map_err(clv_error)
                    .with_context(who)?;
                (Some(s), Some(v))
            }
            _ => (None, None),
        };
        rows.push(PredictionJson {
            customer: &c.key,
            frequency: c.frequency,
            recency: c.recency,
            t: c.t,
            p_alive,
            p_alive_at: (a.model == ModelArg::BgBb).then_some(c.t + 1.0),
            expected_purchases,
            expected_spend,
            clv,
        });
    }
    let unit = if a.model == ModelArg::BgBb {
        "opportunity".to_string()
    } else {
        input.unit.to_string()
    };
    match a.format {
        Format::Json => {
            let j = PredictJson {
                model: f.model,
                horizon,
                unit,
                months: a.months,
                discount: a.months.map(|_| a.discount),
                customers: rows,
            };
            json(out, &j)?;
        }
        Format::Csv | Format::Parquet => {
            let header = [
                "customer_id",
                "frequency",
                "recency",
                "T",
                if a.model == ModelArg::BgBb {
                    "p_alive_next_opportunity"
                } else {
                    "p_alive"
                },
                "expected_purchases",
                "expected_spend",
                "clv",
            ];
            csv_table(
                out,
                header,
                rows.iter().map(|r| {
                    [
                        r.customer.to_string(),
                        r.frequency.to_string(),
                        r.recency.to_string(),
                        r.t.to_string(),
                        r.p_alive.to_string(),
                        r.expected_purchases.to_string(),
                        r.expected_spend.map_or(String::new(), |v| v.to_string()),
                        r.clv.map_or(String::new(), |v| v.to_string()),
                    ]
                }),
            )?;
        }
        Format::Table => {
            let lang = crate::options::lang(a.lang.lang.as_deref())?;
            let tt = &lang.texts().clv_table;
            let unit = match lang {
                crm::report::Lang::En => format!("{unit}(s)"),
                _ => lang.unit(&unit),
            };
            writeln!(
                out,
                "{}",
                fill(
                    tt.predict_heading,
                    &[
                        ("model", f.model),
                        ("horizon", &crate::output::local(lang, horizon.to_string())),
                        ("unit", &unit),
                    ]
                )
            )
            .context("cannot write the output")?;
            let mut t = grid();
            let c = &tt.predict_columns;
            let mut header = vec![
                c[0],
                c[1],
                c[2],
                c[3],
                if a.model == ModelArg::BgBb {
                    c[5]
                } else {
                    c[4]
                },
                c[6],
            ];
            if spend.is_some() {
                header.extend([c[7], c[8]]);
            }
            t.set_header(header);
            for r in &rows {
                let mut row = vec![
                    r.customer.to_string(),
                    count_in(lang, u64::from(r.frequency)),
                    fixed(lang, r.recency, 2),
                    fixed(lang, r.t, 2),
                    fixed(lang, r.p_alive, 4),
                    fixed(lang, r.expected_purchases, 4),
                ];
                if let (Some(s), Some(v)) = (r.expected_spend, r.clv) {
                    row.push(fixed(lang, s, 2));
                    row.push(fixed(lang, v, 2));
                }
                t.add_row(row);
            }
            writeln!(out, "{t}").context("cannot write the output")?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct CheckJson<'a> {
    model: &'static str,
    holdout_by_frequency: &'a [crm::clv::checks::FrequencyCheck],
    tracking: &'a [crm::clv::checks::TrackingPoint],
}

fn check(a: ClvCheckArgs, out: &mut impl Write) -> Outcome {
    table_format(a.format, "clv check")?;
    if a.input.summary.is_some() || a.input.observation_end.is_none() {
        return Err(usage(
            "clv check needs --transactions (or --db) with --calibration-end and --observation-end",
        ));
    }
    if matches!(a.model, ModelArg::GammaGamma | ModelArg::BgBb) {
        return Err(usage(
            "clv check compares a continuous-time purchase model: bg-nbd, mbg-nbd or pareto-nbd",
        ));
    }
    let input = load(&a.input, a.model)?;
    let Some(s) = &input.summaries else {
        return Err(usage("clv check needs --transactions or --db"));
    };
    let end = s.observation_end.context("no observation end")?;
    let f = fit_model(a.model, &input.customers, &input.options)?;
    let m = f.purchase.as_deref().context("not a purchase model")?;
    let by_freq =
        holdout_by_frequency(m, &input.customers, a.max_frequency).map_err(anyhow::Error::from)?;
    // Weekly points (or one per unit when the unit is longer).
    let step = (7.0 / input.unit.days()).max(1.0);
    let track = tracking(m, &s.timeline, input.unit, step, end).map_err(anyhow::Error::from)?;
    if let Some(dir) = &a.svg {
        write_svgs(dir, f.model, &by_freq, &track, s.calibration_end)?;
    }
    if a.format == Format::Json {
        let j = CheckJson {
            model: f.model,
            holdout_by_frequency: &by_freq,
            tracking: &track,
        };
        return Ok(json(out, &j)?);
    }
    let lang = crate::options::lang(a.lang.lang.as_deref())?;
    let tt = &lang.texts().clv_table;
    writeln!(out, "{}", fill(tt.check_heading, &[("model", f.model)]))
        .context("cannot write the output")?;
    let mut t = grid();
    t.set_header(tt.check_columns);
    for r in &by_freq {
        let frequency = count_in(lang, u64::from(r.frequency));
        let label = if r.open {
            format!("{frequency}+")
        } else {
            frequency
        };
        t.add_row([
            label,
            weight_in(lang, r.customers),
            fixed(lang, r.actual, 3),
            fixed(lang, r.predicted, 3),
        ]);
    }
    writeln!(out, "{t}").context("cannot write the output")?;
    writeln!(
        out,
        "{}",
        fill(
            tt.tracking_heading,
            &[("date", &s.calibration_end.to_string())]
        )
    )
    .context("cannot write the output")?;
    let mut t = grid();
    t.set_header(tt.tracking_columns);
    let every = track.len().div_ceil(20).max(1);
    for (i, p) in track.iter().enumerate() {
        if i % every == 0 || i + 1 == track.len() {
            t.add_row([
                p.date.to_string(),
                fixed(lang, p.actual, 0),
                fixed(lang, p.predicted, 1),
            ]);
        }
    }
    writeln!(out, "{t}").context("cannot write the output")?;
    Ok(())
}

fn write_svgs(
    dir: &Path,
    model: &str,
    by_freq: &[crm::clv::checks::FrequencyCheck],
    track: &[crm::clv::checks::TrackingPoint],
    calibration_end: NaiveDate,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let freq = |g: fn(&crm::clv::checks::FrequencyCheck) -> f64| {
        by_freq
            .iter()
            .map(|r| (f64::from(r.frequency), g(r)))
            .collect::<Vec<_>>()
    };
    let holdout = svg_chart(
        "Holdout purchases by calibration frequency",
        "repeat purchases in calibration (last: and more)",
        "mean purchases in holdout",
        &[
            Series {
                name: "actual".into(),
                points: freq(|r| r.actual),
            },
            Series {
                name: model.into(),
                points: freq(|r| r.predicted),
            },
        ],
    );
    let Some(start) = track.first().map(|p| p.date) else {
        return Ok(());
    };
    let days = |p: &crm::clv::checks::TrackingPoint| (p.date - start).num_days() as f64;
    let title = format!(
        "Cumulative repeat purchases (calibration ends at day {})",
        (calibration_end - start).num_days()
    );
    let tracking = svg_chart(
        &title,
        &format!("days since {start}"),
        "repeat purchases",
        &[
            Series {
                name: "actual".into(),
                points: track.iter().map(|p| (days(p), p.actual)).collect(),
            },
            Series {
                name: model.into(),
                points: track.iter().map(|p| (days(p), p.predicted)).collect(),
            },
        ],
    );
    for (file, text) in [("holdout.svg", holdout), ("tracking.svg", tracking)] {
        let path = dir.join(file);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
