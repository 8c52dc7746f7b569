use std::fmt;
use std::str::FromStr;

/// A level of the customer pyramid, high to low.
///
/// The four active levels (value > 0 in the period) are cut by rank; the
/// other three say why a known party is not active. The set is fixed by the
/// method, so the enum is exhaustive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Level {
    /// The highest-ranked active customers (default: the top 1%).
    Top,
    /// The next ones (default: the next 4%).
    Big,
    /// The next ones (default: the next 15%).
    Medium,
    /// The rest of the active customers (default: 80%).
    Small,
    /// Bought before the period, not in it.
    Inactive,
    /// Contacted (or a zero or negative transaction), never bought; also a
    /// register entry with stage `customer` whose purchases are missing
    /// from the history (see
    /// [`Pyramid::register_customers_without_purchase`](crate::Pyramid::register_customers_without_purchase)).
    Prospect,
    /// In the register, never contacted.
    Suspect,
}

impl Level {
    /// All levels, high to low: the row order of every report.
    pub const ALL: [Level; 7] = [
        Level::Top,
        Level::Big,
        Level::Medium,
        Level::Small,
        Level::Inactive,
        Level::Prospect,
        Level::Suspect,
    ];

    /// The four active levels, high to low.
    pub const ACTIVE: [Level; 4] = [Level::Top, Level::Big, Level::Medium, Level::Small];

    /// The lowercase name used in files and reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Level::Top => "top",
            Level::Big => "big",
            Level::Medium => "medium",
            Level::Small => "small",
            Level::Inactive => "inactive",
            Level::Prospect => "prospect",
            Level::Suspect => "suspect",
        }
    }

    /// Whether customers at this level had value > 0 in the period.
    pub const fn is_active(self) -> bool {
        matches!(self, Level::Top | Level::Big | Level::Medium | Level::Small)
    }

    /// The position in [`Level::ALL`] (top 0 ... suspect 6).
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for Level {
    type Err = crm_core::Error;
    fn from_str(s: &str) -> Result<Level, Self::Err> {
        let t = s.trim();
        Level::ALL
            .into_iter()
            .find(|l| l.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| crm_core::Error::InvalidName {
                what: "level",
                input: s.chars().take(80).collect(),
                expected: "top big medium small inactive prospect suspect",
            })
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Level {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Reads the name (`"top"`), as [`FromStr`] does.
#[cfg(feature = "serde")]
impl<'de> serde::Deserialize<'de> for Level {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
        let name = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}
