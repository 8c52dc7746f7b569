//! Customers with up to 20,000 repeat purchases: finite predictions equal
//! to the published formulas evaluated at 400 digits
//! (`benches/compare/clv_large_x.py`), where `lifetimes` overflows (Pareto/NBD)
//! or returns NaN (MBG/NBD).

use crm_clv::{BgNbd, MbgNbd, ParetoNbd, PurchaseModel, Summary};

use crate::common::close;

const LARGE: &[[f64; 9]] = &[
    // x, t_x, T, BG P(alive), BG E[Y(39)], MBG P(alive), MBG E[Y(39)], Pareto P(alive), Pareto E[Y(39)]
    [
        500.0,
        38.0,
        38.86,
        0.02679977916662256,
        9.220817637348917,
        0.03502562960063997,
        11.32366050256358,
        0.11357188512214128,
        37.277005033524574,
    ],
    [
        5000.0,
        38.5,
        38.86,
        4.556029725712771e-15,
        1.5657031930799815e-11,
        2.1004169244837032e-14,
        6.778626239252852e-11,
        1.1272914084034637e-12,
        3.6963588453768196e-09,
    ],
    [
        20000.0,
        38.8,
        38.86,
        2.2392917586003404e-08,
        0.00030778714668792885,
        5.9274105683228735e-08,
        0.0007650631344802675,
        9.533869186529045e-07,
        0.012503484759173225,
    ],
    [20000.0, 30.0, 38.86, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0],
];

#[track_caller]
fn agree(got: f64, want: f64) {
    assert!(got.is_finite(), "{got}");
    if want == 0.0 {
        assert!(got.abs() < 1e-300, "{got} vs 0");
    } else {
        close(got, want, 1e-8);
    }
}

#[test]
fn many_repeat_purchases() {
    let bg = BgNbd::new(0.242593, 4.413532, 0.792886, 2.425752).unwrap();
    let mbg = MbgNbd::new(0.524838, 6.182993, 0.891356, 1.613999).unwrap();
    let pn = ParetoNbd::new(0.553275, 10.577612, 0.606214, 11.667911).unwrap();
    let models: [&dyn PurchaseModel; 3] = [&bg, &mbg, &pn];
    for row in LARGE {
        let c = Summary::new(row[0] as u32, row[1], row[2]);
        for (i, m) in models.iter().enumerate() {
            agree(m.p_alive(&c).unwrap(), row[3 + 2 * i]);
            agree(m.expected_purchases(&c, 39.0).unwrap(), row[4 + 2 * i]);
        }
    }
}
