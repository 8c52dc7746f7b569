//! Flags into library options: periods, cuts, pyramid options, and the
//! usage errors (exit 2) that bad flags give.

use crm::pyramid::{Cuts, PyramidOptions};
use crm::report::Lang;
use crm::{Basis, Decimal, Money, Period};

use crate::Failure;
use crate::args::{BasisArg, LevelArgs};

/// A usage error (exit 2) with `msg`.
pub(crate) fn usage(msg: impl std::fmt::Display) -> Failure {
    Failure::Usage(msg.to_string())
}

fn numbers(flag: &str, s: &str) -> Result<Vec<Decimal>, Failure> {
    s.split(',')
        .map(|p| {
            p.trim().parse::<Decimal>().map_err(|_| {
                usage(format!(
                    "--{flag}: {p:?} is not a number (expected e.g. 1,5,20)"
                ))
            })
        })
        .collect()
}

/// Percentages whose share (a hundredth) is still above zero: a tiny cut
/// would otherwise round to a share of 0 and be reported as "0".
fn percents(flag: &str, s: &str) -> Result<Vec<Decimal>, Failure> {
    let v = numbers(flag, s)?;
    for (p, raw) in v.iter().zip(s.split(',')) {
        if p.is_sign_positive() && !p.is_zero() && (p / Decimal::ONE_HUNDRED).is_zero() {
            return Err(usage(format!(
                "--{flag}: {} is too small a percentage (the smallest is 1e-26)",
                raw.trim()
            )));
        }
    }
    Ok(v)
}

fn cuts(a: &LevelArgs) -> Result<Cuts, Failure> {
    let cuts = if let Some(v) = &a.value_cuts {
        Cuts::value_percent(&percents("value-cuts", v)?)
    } else if let Some(b) = &a.bands {
        let bands = numbers("bands", b)?.into_iter().map(Money::new).collect();
        let c = Cuts::Bands(bands);
        c.validate().map(|()| c)
    } else {
        Cuts::customer_percent(&percents("cuts", &a.cuts)?)
    };
    cuts.map_err(usage)
}

/// The pyramid options the level flags ask for.
pub(crate) fn pyramid_options(a: &LevelArgs) -> Result<PyramidOptions, Failure> {
    let basis = basis(a.basis);
    Ok(PyramidOptions::new()
        .basis(basis)
        .cuts(cuts(a)?)
        .inactivity_horizon_days(a.horizon_days))
}

/// The language of `--lang`, or from the environment (`LC_ALL`,
/// `LC_MESSAGES`, `LANG`) without it.
pub(crate) fn lang(flag: Option<&str>) -> Result<Lang, Failure> {
    match flag {
        Some(l) => l.parse::<Lang>().map_err(|e| usage(format!("--lang: {e}"))),
        None => Ok(Lang::from_env()),
    }
}

/// Parses a period flag, refusing a period crm cannot write (see
/// [`check_to_9999`]): every command that takes a period checks the same
/// bound, before it reads anything.
pub(crate) fn period(flag: &str, s: &str) -> Result<Period, Failure> {
    let p: Period = s.parse().map_err(|e| usage(format!("--{flag}: {e}")))?;
    check_to_9999(flag, &p)?;
    Ok(p)
}

/// Parses a list of periods (`--periods 2021..2025` or `2023,2024`),
/// refusing any that crm cannot write, as [`period`] does.
pub(crate) fn periods(flag: &str, spec: &str) -> Result<Vec<Period>, Failure> {
    let list = crm::migration::parse_periods(spec).map_err(|e| usage(format!("--{flag}: {e}")))?;
    for p in &list {
        check_to_9999(flag, p)?;
    }
    Ok(list)
}

/// The last day crm writes: dates have four digits.
fn last_day() -> crm::NaiveDate {
    crm::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or(crm::NaiveDate::MAX)
}

/// Refuses a period that ends after 9999-12-31: its end, the first day
/// after it, would be 10000-01-01 or later, a date of five digits that
/// ids, reports and outcomes would carry. The message names the last
/// period of the same kind that crm can take.
pub(crate) fn check_to_9999(flag: &str, p: &Period) -> Result<(), Failure> {
    let last = last_day();
    if p.end() <= last {
        return Ok(());
    }
    // Step back a period at a time (a calendar year, quarter or month, or
    // the same number of days) to the last one that ends in time.
    let mut q = *p;
    let mut ok = None;
    for _ in 0..16 {
        match q.previous_calendar().or_else(|| q.previous()) {
            Some(prev) if prev.end() <= last => {
                ok = Some(prev);
                break;
            }
            Some(prev) => q = prev,
            None => break,
        }
    }
    let hint = match ok {
        Some(ok) => format!("; the last such period is {ok}"),
        None => String::new(),
    };
    Err(usage(format!(
        "--{flag}: the period from {} runs past 9999-12-31, the last date crm can handle{hint}",
        p.start()
    )))
}

/// The library's basis for the `--basis` flag.
pub(crate) fn basis(b: BasisArg) -> Basis {
    match b {
        BasisArg::Revenue => Basis::Revenue,
        BasisArg::Margin => Basis::Margin,
    }
}
