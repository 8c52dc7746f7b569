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

/// Parses a period flag.
pub(crate) fn period(flag: &str, s: &str) -> Result<Period, Failure> {
    s.parse().map_err(|e| usage(format!("--{flag}: {e}")))
}

/// Parses a period flag of a command whose output names the period's end
/// or dates after it (action ids, outcomes): a period must end by
/// 9999-12-31, so that no date of five digits is ever printed.
pub(crate) fn period_to_9999(flag: &str, s: &str) -> Result<Period, Failure> {
    let p = period(flag, s)?;
    check_to_9999(flag, &p)?;
    Ok(p)
}

/// Refuses a period that ends after 9999-12-31 (its end, the first day
/// after it, would be 10000-01-01).
pub(crate) fn check_to_9999(flag: &str, p: &Period) -> Result<(), Failure> {
    let last = crm::NaiveDate::from_ymd_opt(9999, 12, 31);
    if last.is_some_and(|last| p.end() > last) {
        return Err(usage(format!(
            "--{flag}: the period from {} runs past 9999-12-30, so the day it stops (the first after it) falls after 9999-12-31, beyond the four-digit dates crm writes; give a period that ends earlier",
            p.start()
        )));
    }
    Ok(())
}

/// The library's basis for the `--basis` flag.
pub(crate) fn basis(b: BasisArg) -> Basis {
    match b {
        BasisArg::Revenue => Basis::Revenue,
        BasisArg::Margin => Basis::Margin,
    }
}
