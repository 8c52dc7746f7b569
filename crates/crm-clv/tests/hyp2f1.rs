//! The hypergeometric series against 5,618 values computed with mpmath at
//! 40 digits (`tests/data/hyp2f1_mpmath.txt`).

use crm_clv::{SeriesError, hyp2f1, ln_hyp2f1};

use crate::common::data;

#[test]
fn agrees_with_mpmath() {
    let text = std::fs::read_to_string(data("hyp2f1_mpmath.txt")).unwrap();
    let mut worst = (0.0f64, String::new());
    let mut n = 0;
    let mut slow = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let f: Vec<f64> = line
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect();
        let (a, b, c, z, want) = (f[0], f[1], f[2], f[3], f[4]);
        match hyp2f1(a, b, c, z) {
            Ok(got) => {
                let rel = ((got - want) / want).abs();
                if rel > worst.0 {
                    worst = (rel, line.to_owned());
                }
                // The logarithm agrees too.
                let l = ln_hyp2f1(a, b, c, z).unwrap();
                assert!(
                    (l - want.ln()).abs() <= 1e-12 * want.ln().abs().max(1.0),
                    "{line}"
                );
                n += 1;
            }
            Err(SeriesError::NoConvergence { .. }) => slow += 1,
            Err(e) => panic!("{line}: {e}"),
        }
    }
    eprintln!(
        "{n} values, worst relative error {:e} at {}",
        worst.0, worst.1
    );
    assert_eq!(slow, 0, "every fixture value is within the term cap");
    assert!(n > 5000);
    assert!(
        worst.0 < 1e-12,
        "worst relative error {:e} at {}",
        worst.0,
        worst.1
    );
}
