//! Pieces that the database stores share: the text of a lead's stage
//! dates, and the keyed hash of the suppression list. Stores of other
//! databases may use them to keep what the built-in ones keep.

use std::collections::BTreeMap;

use crm_core::{LeadStage, NaiveDate};

use crate::{Error, Result};

fn corrupt(table: &'static str, reason: String) -> Error {
    Error::Corrupt { table, reason }
}

/// A lead's stage dates as one text column: `stage=date` pairs by stage,
/// joined by `;` (`lead=2025-01-06;quote=2025-02-03`); empty for none.
/// [`stage_dates_from_text`] reads it back.
pub fn stage_dates_to_text(entered: &BTreeMap<LeadStage, NaiveDate>) -> String {
    entered
        .iter()
        .map(|(s, d)| format!("{s}={d}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// Reads the text of [`stage_dates_to_text`] back; a date must be written
/// exactly as that function writes it.
///
/// # Errors
///
/// [`Error::Corrupt`] (table `leads`) naming the text and the bad part.
pub fn stage_dates_from_text(s: &str) -> Result<BTreeMap<LeadStage, NaiveDate>> {
    let mut out = BTreeMap::new();
    for part in s.split(';').filter(|p| !p.is_empty()) {
        let (stage, d) = part
            .split_once('=')
            .ok_or_else(|| corrupt("leads", format!("bad stage dates {s:?} (at {part:?})")))?;
        let stage: LeadStage = stage
            .parse()
            .map_err(|e| corrupt("leads", format!("bad stage dates {s:?}: {e}")))?;
        let date = d
            .parse::<NaiveDate>()
            .ok()
            .filter(|date| date.to_string() == d)
            .ok_or_else(|| corrupt("leads", format!("bad date {d:?} in stage dates {s:?}")))?;
        out.insert(stage, date);
    }
    Ok(out)
}

/// The digest of `key` on a suppression list: HMAC-SHA-256 under `secret`,
/// a random secret of the database (never the key itself is kept).
///
/// # Errors
///
/// [`Error::Corrupt`] (table `crm_meta`) if HMAC refused the secret; it
/// takes secrets of any length, so this does not happen.
pub fn keyed_hash(secret: &[u8], key: &str) -> Result<Vec<u8>> {
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret)
        .map_err(|e| corrupt("crm_meta", e.to_string()))?;
    mac.update(key.as_bytes());
    Ok(mac.finalize().into_bytes().to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_keyed_hash_is_hmac_sha_256() {
        // RFC 4231, test case 2.
        let h = keyed_hash(b"Jefe", "what do ya want for nothing?").unwrap();
        let hex: String = h.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn bad_stage_dates_are_named() {
        for bad in [
            "lead",
            "nope=2024-01-01",
            "lead=2024-1-1",
            "lead=2024-02-30",
        ] {
            let e = stage_dates_from_text(bad).unwrap_err();
            assert!(matches!(e, Error::Corrupt { table: "leads", .. }), "{bad}");
            assert!(e.to_string().contains(bad), "{e}");
        }
        assert!(stage_dates_from_text("").unwrap().is_empty());
    }

    proptest! {
        #[test]
        fn stage_dates_read_back_as_written(
            dates in prop::collection::btree_map(
                prop::sample::select(LeadStage::ALL.to_vec()),
                (0i32..=9999, 1u32..=366),
                0..6,
            )
        ) {
            let entered: BTreeMap<LeadStage, NaiveDate> = dates
                .into_iter()
                .filter_map(|(s, (y, day))| Some((s, NaiveDate::from_yo_opt(y, day)?)))
                .collect();
            let text = stage_dates_to_text(&entered);
            prop_assert_eq!(stage_dates_from_text(&text).unwrap(), entered);
        }

        #[test]
        fn any_text_is_read_or_refused(s in ".{0,40}") {
            if let Ok(entered) = stage_dates_from_text(&s) {
                prop_assert_eq!(stage_dates_from_text(&stage_dates_to_text(&entered)).unwrap(), entered);
            }
        }

        #[test]
        fn keys_and_secrets_are_told_apart(a in ".{0,12}", b in ".{0,12}", secret in prop::collection::vec(any::<u8>(), 0..40)) {
            let ha = keyed_hash(&secret, &a).unwrap();
            prop_assert_eq!(ha.len(), 32);
            prop_assert_eq!(&ha, &keyed_hash(&secret, &a).unwrap());
            prop_assert_eq!(ha == keyed_hash(&secret, &b).unwrap(), a == b);
            let mut other = secret.clone();
            other.push(1);
            prop_assert_ne!(ha, keyed_hash(&other, &a).unwrap());
        }
    }
}
