// A model cannot be built with invalid parameters: not by `new`, not by
// deserialising.

use crm_clv::{BgBb, BgNbd, GammaGamma, MbgNbd, ParetoNbd};
use proptest::prelude::*;

/// Any finite positive parameter, or one that `new` refuses.
fn parameter() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => 1e-6f64..1e6,
        1 => Just(0.0),
        1 => -1e6f64..0.0,
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
    ]
}

fn valid(x: &[f64]) -> bool {
    x.iter().all(|v| v.is_finite() && *v > 0.0)
}

proptest! {
    /// `new` accepts exactly the finite positive parameters, and the getters
    /// give them back.
    #[test]
    fn new_validates(r in parameter(), alpha in parameter(), a in parameter(), b in parameter()) {
        let ok = valid(&[r, alpha, a, b]);
        let m = BgNbd::new(r, alpha, a, b);
        prop_assert_eq!(m.is_ok(), ok);
        if let Ok(m) = m {
            prop_assert_eq!((m.r(), m.alpha(), m.a(), m.b()), (r, alpha, a, b));
        }
        prop_assert_eq!(MbgNbd::new(r, alpha, a, b).is_ok(), ok);
        prop_assert_eq!(ParetoNbd::new(r, alpha, a, b).is_ok(), ok);
        prop_assert_eq!(BgBb::new(r, alpha, a, b).is_ok(), ok);
        prop_assert_eq!(GammaGamma::new(r, alpha, a).is_ok(), valid(&[r, alpha, a]));
    }
}

#[cfg(feature = "serde")]
mod serde {
    use super::*;

    proptest! {
        /// Deserialising goes through `new`: a valid model round-trips, an
        /// invalid one is an error (JSON has no NaN; negative and zero
        /// parameters are the cases).
        #[test]
        fn deserialising_validates(r in -1e3f64..1e3, alpha in 1e-3f64..1e3, s in 1e-3f64..1e3, beta in 1e-3f64..1e3) {
            let json = format!(r#"{{"r":{r},"alpha":{alpha},"s":{s},"beta":{beta}}}"#);
            let m: Result<ParetoNbd, _> = serde_json::from_str(&json);
            prop_assert_eq!(m.is_ok(), r > 0.0);
            if let Ok(m) = m {
                let back: ParetoNbd = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
                prop_assert_eq!(back, m);
            }
        }
    }

    #[test]
    fn every_model_refuses_a_negative_parameter() {
        let e = serde_json::from_str::<BgNbd>(r#"{"r":-1,"alpha":1,"a":1,"b":1}"#);
        assert!(e.is_err());
        let e = serde_json::from_str::<MbgNbd>(r#"{"r":1,"alpha":0,"a":1,"b":1}"#);
        assert!(e.is_err());
        let e = serde_json::from_str::<BgBb>(r#"{"alpha":1,"beta":1,"gamma":-2,"delta":1}"#);
        assert!(e.is_err());
        let e = serde_json::from_str::<GammaGamma>(r#"{"p":1,"q":1,"gamma":-0.5}"#);
        assert!(e.is_err());
        // Unknown or missing fields are refused too.
        assert!(serde_json::from_str::<BgNbd>(r#"{"r":1,"alpha":1,"a":1}"#).is_err());
        assert!(serde_json::from_str::<BgNbd>(r#"{"r":1,"alpha":1,"a":1,"b":1,"c":1}"#).is_err());
        let ok: BgNbd =
            serde_json::from_str(r#"{"r":0.24,"alpha":4.41,"a":0.79,"b":2.43}"#).unwrap();
        assert_eq!(ok, BgNbd::new(0.24, 4.41, 0.79, 2.43).unwrap());
    }
}

proptest! {
    /// Lifetime options take exactly the discount rates above -1, and the
    /// value is the same whatever the order the options are set in.
    #[test]
    fn lifetime_options_validate_the_rate(rate in prop_oneof![-3.0f64..3.0, Just(f64::NAN), Just(-1.0)], months in 0u32..50) {
        use crm_clv::{LifetimeOptions, TimeUnit};
        let o = LifetimeOptions::new(TimeUnit::WEEK).months(months).discount(rate);
        prop_assert_eq!(o.is_ok(), rate.is_finite() && rate > -1.0);
        if let Ok(o) = o {
            prop_assert_eq!((o.horizon(), o.discount_rate(), o.unit()), (months, rate, TimeUnit::WEEK));
            let other = LifetimeOptions::new(TimeUnit::WEEK).discount(rate).unwrap().months(months);
            prop_assert_eq!(o, other);
        }
    }
}
