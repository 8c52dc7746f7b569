//! PostgreSQL's binary `COPY` format, for the direct import of
//! transactions: the server stores the values as they come, with no text
//! to parse (numbers and dates are most of a text `COPY`'s work).
//!
//! The format: a header, then per row the number of fields (16 bits) and
//! each field as its length (32 bits, -1 for NULL) and its bytes in the
//! type's binary form, then -1 (16 bits). All integers are big-endian.

use std::io::{self, Write};

use crm_core::{Datelike, Decimal, NaiveDate};

/// The signature, flags and header extension length that open the data.
pub(crate) const HEADER: &[u8] = b"PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0";

/// The end of the data.
pub(crate) const TRAILER: &[u8] = &[0xff, 0xff];

/// PostgreSQL's dates count days from 2000-01-01.
const EPOCH_DAYS_FROM_CE: i32 = 730_120;

/// Starts a row of `fields` fields.
pub(crate) fn row(out: &mut impl Write, fields: u16) -> io::Result<()> {
    out.write_all(&fields.to_be_bytes())
}

/// A NULL field.
pub(crate) fn null(out: &mut impl Write) -> io::Result<()> {
    out.write_all(&(-1i32).to_be_bytes())
}

/// A `bigint` field.
pub(crate) fn int8(out: &mut impl Write, v: i64) -> io::Result<()> {
    out.write_all(&8i32.to_be_bytes())?;
    out.write_all(&v.to_be_bytes())
}

/// A `text` field (UTF-8, as the connection's encoding is).
pub(crate) fn text(out: &mut impl Write, s: &str) -> io::Result<()> {
    let len = i32::try_from(s.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a text of 2 GB or more"))?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(s.as_bytes())
}

/// An optional `text` field.
pub(crate) fn opt_text(out: &mut impl Write, s: Option<&str>) -> io::Result<()> {
    match s {
        Some(s) => text(out, s),
        None => null(out),
    }
}

/// A `date` field: days since 2000-01-01 (every date chrono has fits).
pub(crate) fn date(out: &mut impl Write, d: NaiveDate) -> io::Result<()> {
    out.write_all(&4i32.to_be_bytes())?;
    out.write_all(&(d.num_days_from_ce() - EPOCH_DAYS_FROM_CE).to_be_bytes())
}

/// A `numeric` field. PostgreSQL keeps a number as base-10000 digits, most
/// significant first, with the weight (power of 10000) of the first, a
/// sign, and the display scale (digits after the point): a `Decimal`'s
/// scale, so that `12.50` reads back as `12.50`.
pub(crate) fn numeric(out: &mut impl Write, d: Decimal) -> io::Result<()> {
    let scale = d.scale();
    let m = d.mantissa();
    // Align the point to a group of four digits: the fraction is padded
    // with zeros to whole groups. |m| < 2^96 and the factor is at most
    // 1000, so this fits in 128 bits.
    let frac_groups = scale.div_ceil(4);
    let mut n = m.unsigned_abs() * 10u128.pow(frac_groups * 4 - scale);
    // At most 8 groups: 2^106 < 10^32.
    let mut groups = [0u16; 8];
    let mut len = 0;
    while n > u128::from(u64::MAX) {
        groups[len] = (n % 10_000) as u16;
        n /= 10_000;
        len += 1;
    }
    // Nearly every amount: 64-bit division is many times faster.
    let mut n = n as u64;
    while n > 0 {
        groups[len] = (n % 10_000) as u16;
        n /= 10_000;
        len += 1;
    }
    // The least significant groups that are zero are left out (they are
    // implied by the weight and the scale).
    let skip = groups[..len].iter().take_while(|&&g| g == 0).count();
    let digits = &groups[skip..len];
    let (weight, sign) = if digits.is_empty() {
        (0i16, 0u16)
    } else {
        // len ≤ 8 and frac_groups ≤ 8: these fit.
        (
            len as i16 - 1 - frac_groups as i16,
            if m < 0 { 0x4000 } else { 0 },
        )
    };
    let bytes = 8 + 2 * digits.len() as i32;
    out.write_all(&bytes.to_be_bytes())?;
    out.write_all(&(digits.len() as i16).to_be_bytes())?;
    out.write_all(&weight.to_be_bytes())?;
    out.write_all(&sign.to_be_bytes())?;
    out.write_all(&(scale as u16).to_be_bytes())?;
    for g in digits.iter().rev() {
        out.write_all(&g.to_be_bytes())?;
    }
    Ok(())
}

/// An optional `numeric` field.
pub(crate) fn opt_numeric(out: &mut impl Write, d: Option<Decimal>) -> io::Result<()> {
    match d {
        Some(d) => numeric(out, d),
        None => null(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(f: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> Vec<u8> {
        let mut out = Vec::new();
        f(&mut out).unwrap();
        out
    }

    /// (ndigits, weight, sign, dscale, digits) of an encoded numeric.
    fn parts(b: &[u8]) -> (i16, i16, u16, u16, Vec<u16>) {
        let len = i32::from_be_bytes(b[0..4].try_into().unwrap());
        assert_eq!(len as usize, b.len() - 4);
        let h = |i: usize| u16::from_be_bytes(b[4 + 2 * i..6 + 2 * i].try_into().unwrap());
        let n = h(0) as i16;
        let digits = (0..n as usize).map(|i| h(4 + i)).collect();
        (n, h(1) as i16, h(2), h(3), digits)
    }

    #[test]
    fn numerics_are_base_10000_digits_with_weight_and_scale() {
        let enc = |s: &str| parts(&bytes(|o| numeric(o, s.parse().unwrap())));
        assert_eq!(enc("12.50"), (2, 0, 0, 2, vec![12, 5000]));
        assert_eq!(enc("-12345.6"), (3, 1, 0x4000, 1, vec![1, 2345, 6000]));
        assert_eq!(enc("0.00001"), (1, -2, 0, 5, vec![1000]));
        assert_eq!(enc("0.0001"), (1, -1, 0, 4, vec![1]));
        assert_eq!(enc("10000"), (1, 1, 0, 0, vec![1]));
        assert_eq!(enc("0.00"), (0, 0, 0, 2, vec![]));
        assert_eq!(enc("-0"), (0, 0, 0, 0, vec![]));
        assert_eq!(
            enc("79228162514264337593543950335"),
            (8, 7, 0, 0, vec![7, 9228, 1625, 1426, 4337, 5935, 4395, 335])
        );
        assert_eq!(
            enc("-7.9228162514264337593543950335"),
            (
                8,
                0,
                0x4000,
                28,
                vec![7, 9228, 1625, 1426, 4337, 5935, 4395, 335]
            )
        );
    }

    #[test]
    fn dates_count_days_from_2000() {
        let enc = |y, m, d| bytes(|o| date(o, NaiveDate::from_ymd_opt(y, m, d).unwrap()));
        assert_eq!(enc(2000, 1, 1), [0, 0, 0, 4, 0, 0, 0, 0]);
        assert_eq!(enc(2000, 1, 2), [0, 0, 0, 4, 0, 0, 0, 1]);
        assert_eq!(enc(1999, 12, 31), [0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff]);
    }
}
