use std::hash::BuildHasher;

use hashbrown::HashTable;

use crate::{Error, Result};

/// A dense index standing for one customer key inside one [`Interner`] (and
/// so inside one [`Ledger`](crate::Ledger)).
///
/// Ids are handed out 0, 1, 2, ... in order of first appearance. They are
/// only meaningful for the interner that made them; the public API of the
/// analyses speaks in keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerId(u32);

impl CustomerId {
    /// The id as an index into per-customer vectors.
    pub const fn index(self) -> usize {
        self.0 as usize
    }
}

/// Keys up to this many bytes are kept inside the hash table's slots, so
/// that a lookup touches one slot and no key storage.
const INLINE: usize = 11;

/// A hash-table slot: the key inline when short (its length in the last
/// byte), else its first bytes and the marker `LONG`; and the id.
#[derive(Clone, Copy)]
struct Slot {
    key: [u8; INLINE + 1],
    id: u32,
}

const LONG: u8 = u8::MAX;

impl Slot {
    fn new(key: &[u8], id: u32) -> Slot {
        let mut k = [0u8; INLINE + 1];
        if key.len() <= INLINE {
            k[..key.len()].copy_from_slice(key);
            k[INLINE] = key.len() as u8;
        } else {
            k[..INLINE].copy_from_slice(&key[..INLINE]);
            k[INLINE] = LONG;
        }
        Slot { key: k, id }
    }
}

/// Maps customer keys to dense [`CustomerId`]s and back.
///
/// Keys live back to back in one string. The hash table holds short keys
/// (up to 11 bytes, most integrators' ids) inline with their id, so a
/// lookup by `&str` touches one table slot and allocates nothing; longer
/// keys are compared against the string. Memory per customer is the key's
/// bytes plus about 24 bytes.
#[derive(Clone, Default)]
pub struct Interner {
    table: HashTable<Slot>,
    state: foldhash::fast::FixedState,
    bytes: String,
    ends: Vec<u32>,
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// The most customers an interner holds.
pub(crate) const MAX_CUSTOMERS: u64 = u32::MAX as u64;

/// Whether `slot` holds `key`, looking at the key string only for long keys.
fn matches(slot: &Slot, key: &[u8], bytes: &str, ends: &[u32]) -> bool {
    if key.len() <= INLINE {
        slot.key[INLINE] as usize == key.len() && &slot.key[..key.len()] == key
    } else {
        slot.key[INLINE] == LONG && {
            let (a, b) = Interner::span(ends, slot.id);
            &bytes.as_bytes()[a..b] == key
        }
    }
}

impl Interner {
    /// An empty interner.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The number of keys interned.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no key was interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Reserves room for `additional` more keys.
    pub fn reserve(&mut self, additional: usize) {
        let Interner {
            table,
            state,
            bytes,
            ends,
        } = self;
        table.reserve(additional, |s| Self::rehash(state, bytes, ends, s));
        ends.reserve(additional);
    }

    /// Byte range of key `id` in the key string.
    fn span(ends: &[u32], id: u32) -> (usize, usize) {
        let i = id as usize;
        let start = if i == 0 { 0 } else { ends[i - 1] as usize };
        (start, ends[i] as usize)
    }

    fn rehash(state: &foldhash::fast::FixedState, bytes: &str, ends: &[u32], slot: &Slot) -> u64 {
        let (a, b) = Self::span(ends, slot.id);
        state.hash_one(&bytes.as_bytes()[a..b])
    }

    /// The key of `id`.
    ///
    /// # Panics
    ///
    /// When `id` was not made by this interner.
    pub fn key(&self, id: CustomerId) -> &str {
        let (a, b) = Self::span(&self.ends, id.0);
        &self.bytes[a..b]
    }

    /// The id of `key`, if it was interned.
    pub fn get(&self, key: &str) -> Option<CustomerId> {
        let k = key.as_bytes();
        let hash = self.state.hash_one(k);
        self.table
            .find(hash, |s| matches(s, k, &self.bytes, &self.ends))
            .map(|s| CustomerId(s.id))
    }

    /// The id of `key`, interning it first if it is new; the flag says
    /// whether it was new.
    ///
    /// # Errors
    ///
    /// [`Error::Capacity`] past `u32::MAX` keys or 4 GiB of key bytes.
    pub fn intern(&mut self, key: &str) -> Result<(CustomerId, bool)> {
        let k = key.as_bytes();
        let hash = self.state.hash_one(k);
        let Interner {
            table,
            state,
            bytes,
            ends,
        } = self;
        let entry = table.entry(
            hash,
            |s| matches(s, k, bytes, ends),
            |s| Self::rehash(state, bytes, ends, s),
        );
        match entry {
            hashbrown::hash_table::Entry::Occupied(e) => Ok((CustomerId(e.get().id), false)),
            hashbrown::hash_table::Entry::Vacant(e) => {
                let capacity = || Error::Capacity { max: MAX_CUSTOMERS };
                let id = u32::try_from(ends.len()).map_err(|_| capacity())?;
                let end = u32::try_from(bytes.len() + key.len()).map_err(|_| capacity())?;
                bytes.push_str(key);
                ends.push(end);
                e.insert(Slot::new(k, id));
                Ok((CustomerId(id), true))
            }
        }
    }

    /// Every id with its key, in id order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (CustomerId, &str)> + '_ {
        (0..self.ends.len()).map(|i| {
            let id = CustomerId(i as u32);
            (id, self.key(id))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_densely_and_finds_back() {
        let mut i = Interner::new();
        // Short (inline) and long keys, including long keys that share
        // their first bytes.
        let keys: Vec<String> = (0..10_000)
            .map(|n| {
                if n % 3 == 0 {
                    format!("a-long-shared-prefix-{n}")
                } else {
                    format!("K{n}")
                }
            })
            .collect();
        for (n, k) in keys.iter().enumerate() {
            let (id, new) = i.intern(k).unwrap();
            assert!(new);
            assert_eq!(id.index(), n);
        }
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(i.intern(k).unwrap(), (CustomerId(n as u32), false));
            assert_eq!(i.get(k), Some(CustomerId(n as u32)));
            assert_eq!(i.key(CustomerId(n as u32)), k);
        }
        assert_eq!(i.get("nope"), None);
        assert_eq!(i.len(), 10_000);
    }
}
