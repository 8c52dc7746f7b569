//! Target lists: one campaign's selection for one channel, with a control
//! group held out.

use std::collections::BTreeMap;

use crm_core::Decimal;
use uuid::Uuid;

use crate::fact::FactTable;
use crate::plan::{Action, Plan};
use crate::rulebook::{ActionChannel, Strategy};

/// How many of the selected customers to hold out as a control group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Control {
    /// No control group.
    #[default]
    None,
    /// Exactly this many (all, when fewer are selected).
    Count(u64),
    /// This percentage of the selected, rounded half up to a whole
    /// customer.
    Percent(Decimal),
}

/// Why a customer with an action is not on a target list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum LeftOut {
    /// The customer refused consent for the channel.
    NoConsent,
    /// The register does not say; unknown consent is no consent.
    ConsentUnknown,
    /// The customer reached the cap on contacts in the period.
    ContactPressure,
    /// A complaint of the customer is open: no campaign until it is
    /// resolved (the retain actions still reach them).
    OpenComplaint,
    /// The action goes through another channel (a preferred one was
    /// allowed, or the rule does not name this one).
    OtherChannel,
}

impl LeftOut {
    /// The name used in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            LeftOut::NoConsent => "no consent",
            LeftOut::ConsentUnknown => "consent unknown",
            LeftOut::ContactPressure => "contact pressure",
            LeftOut::OpenComplaint => "open complaint",
            LeftOut::OtherChannel => "other channel",
        }
    }
}

impl std::fmt::Display for LeftOut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.as_str())
    }
}

/// Where one customer stands on a target list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Placement {
    /// On the list.
    Selected,
    /// Held out as the control group.
    Control,
    /// Has an action of the list's strategy but is left out, for this
    /// reason.
    LeftOut(LeftOut),
    /// Has no action of the list's strategy.
    NoAction,
}

/// `selected`, `control group`, `left out (no consent)`, `no action`.
impl std::fmt::Display for Placement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Placement::Selected => f.write_str("selected"),
            Placement::Control => f.write_str("control group"),
            Placement::LeftOut(r) => write!(f, "left out ({r})"),
            Placement::NoAction => f.write_str("no action"),
        }
    }
}

/// One campaign's list.
#[derive(Debug, Clone, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[non_exhaustive]
pub struct TargetList {
    /// The campaign's name (the seed of the control group); empty when
    /// none was given (`null` in JSON).
    #[cfg_attr(feature = "serde", serde(serialize_with = "empty_as_null"))]
    pub campaign: String,
    /// The channel.
    pub channel: ActionChannel,
    /// The actions to carry out, by customer key.
    pub selected: Vec<Action>,
    /// The actions held out as the control group, by customer key.
    pub control: Vec<Action>,
    /// Actions left out, by reason.
    pub left_out: BTreeMap<&'static str, u64>,
    /// The strategy the list was drawn from (`None`: every strategy).
    pub strategy: Option<Strategy>,
}

#[cfg(feature = "serde")]
fn empty_as_null<S: serde::Serializer>(s: &str, ser: S) -> std::result::Result<S::Ok, S::Error> {
    if s.is_empty() {
        ser.serialize_none()
    } else {
        ser.serialize_str(s)
    }
}

impl TargetList {
    /// Where the customer with `key` stands on this list drawn from
    /// `plan` and `table` (the same ones given to [`target_list`]).
    pub fn placement(&self, plan: &Plan, table: &FactTable<'_>, key: &str) -> Placement {
        let on = |v: &[Action]| v.binary_search_by(|a| a.customer.as_str().cmp(key)).is_ok();
        if on(&self.selected) {
            return Placement::Selected;
        }
        if on(&self.control) {
            return Placement::Control;
        }
        plan.actions
            .iter()
            .find(|a| a.customer == key && self.strategy.is_none_or(|s| s == a.strategy))
            .map_or(Placement::NoAction, |a| {
                Placement::LeftOut(
                    reason_left_out(a, table, self.channel).unwrap_or(LeftOut::OtherChannel),
                )
            })
    }
}

/// Why `a` is not on the list for `channel`, or `None` when it would be.
fn reason_left_out(a: &Action, table: &FactTable<'_>, channel: ActionChannel) -> Option<LeftOut> {
    let ledger = table.ledger();
    if a.channel == Some(channel) {
        let open = ledger
            .id(&a.customer)
            .and_then(|id| ledger.open_complaints(id, table.as_of()).ok())
            .map_or(0, |o| o.count);
        (open > 0 && a.strategy != Strategy::Retain).then_some(LeftOut::OpenComplaint)
    } else {
        Some(
            match a
                .blocked
                .iter()
                .find(|b| b.channel == channel)
                .map(|b| b.reason)
            {
                Some(crate::BlockReason::NoConsent) => LeftOut::NoConsent,
                Some(crate::BlockReason::ConsentUnknown) => LeftOut::ConsentUnknown,
                Some(crate::BlockReason::ContactPressure) => LeftOut::ContactPressure,
                None => LeftOut::OtherChannel,
            },
        )
    }
}

/// The control-group hash of `key` in `campaign`: a UUID v5 of the two,
/// so that the same campaign gives the same groups on every run.
///
/// [`target_list`] holds out the selected customers with the smallest
/// hashes, so every control customer of a campaign hashes below every
/// treated one: a measurement can check that a control group belongs to
/// the campaign, and a generator can hold one out the same way.
pub fn control_hash(campaign: &str, key: &str) -> u128 {
    let ns = Uuid::from_u128(0x1b7d_04a2_53c9_5e61_8f20_7a9b_c3d4_e5f6);
    Uuid::new_v5(&ns, format!("{campaign}\u{1f}{key}").as_bytes()).as_u128()
}

/// Selects the actions of `plan` (of `strategy`, or all) that go through
/// `channel`, leaves out customers with an open complaint (except for
/// retain actions), counts everyone left out by reason, and holds out a
/// control group: the customers with the smallest hash of (campaign, key).
/// Each customer is listed once (their most urgent action).
pub fn target_list(
    plan: &Plan,
    table: &FactTable<'_>,
    strategy: Option<Strategy>,
    channel: ActionChannel,
    campaign: &str,
    control: Control,
) -> TargetList {
    let mut left_out: BTreeMap<&'static str, u64> = BTreeMap::new();
    let mut chosen: BTreeMap<&str, &Action> = BTreeMap::new();
    for a in &plan.actions {
        if strategy.is_some_and(|s| s != a.strategy) || chosen.contains_key(a.customer.as_str()) {
            continue;
        }
        match reason_left_out(a, table, channel) {
            Some(r) => *left_out.entry(r.as_str()).or_default() += 1,
            None => {
                chosen.insert(&a.customer, a);
            }
        }
    }
    let n = chosen.len() as u64;
    let k = match control {
        Control::None => 0,
        Control::Count(k) => k.min(n),
        Control::Percent(p) => {
            let k = (Decimal::from(n) * p / Decimal::ONE_HUNDRED)
                .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            u64::try_from(k).unwrap_or(0).min(n)
        }
    };
    let mut by_hash: Vec<(u128, &str)> = chosen
        .keys()
        .map(|key| (control_hash(campaign, key), *key))
        .collect();
    by_hash.sort_unstable();
    let held: std::collections::HashSet<&str> = by_hash
        .iter()
        .take(k as usize)
        .map(|(_, key)| *key)
        .collect();
    let (mut selected, mut held_out) = (Vec::new(), Vec::new());
    for (key, a) in chosen {
        if held.contains(key) {
            held_out.push(a.clone());
        } else {
            selected.push(a.clone());
        }
    }
    TargetList {
        campaign: campaign.to_string(),
        channel,
        selected,
        control: held_out,
        left_out,
        strategy,
    }
}
