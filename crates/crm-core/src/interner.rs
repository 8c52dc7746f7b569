use std::hash::BuildHasher;
use std::sync::OnceLock;

use foldhash::SharedSeed;
use foldhash::fast::SeedableRandomState;

use crate::{Error, Result};

/// A dense index standing for one customer key inside one [`Interner`] (and
/// so inside one [`Ledger`](crate::Ledger)), tagged with the interner that
/// made it.
///
/// Ids are handed out 0, 1, 2, ... in order of first appearance. They are
/// only meaningful for the interner that made them: every lookup by id
/// (in the ledger, a pyramid, the analyses) compares the id's
/// [`LedgerTag`] with its own and answers an id of another ledger with
/// [`Error::ForeignId`], never with another customer's figures. The
/// default id belongs to no ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct CustomerId {
    index: u32,
    tag: u32,
}

/// The ids `0..n` of the interner tagged `tag`.
pub(crate) fn ids(tag: LedgerTag, n: usize) -> impl ExactSizeIterator<Item = CustomerId> {
    (0..n).map(move |i| CustomerId {
        index: i as u32,
        tag: tag.0,
    })
}

impl CustomerId {
    /// The id as an index into per-customer vectors (of the ledger that
    /// made it: check [`CustomerId::ledger`] first).
    pub const fn index(self) -> usize {
        self.index as usize
    }

    /// The tag of the ledger (interner) that made the id.
    pub const fn ledger(self) -> LedgerTag {
        LedgerTag(self.tag)
    }
}

/// Which [`Interner`] (and so which [`Ledger`](crate::Ledger)) made a
/// [`CustomerId`]: unique among the interners of the process, fresh for a
/// clone, never 0.
///
/// Results built from a ledger (a pyramid) keep its tag, so that they can
/// refuse the ids of another ledger with one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LedgerTag(u32);

impl LedgerTag {
    /// A tag no other live interner is likely to hold: the next of a
    /// process-wide counter (it wraps after 2³² - 1 interners, skipping 0).
    fn fresh() -> LedgerTag {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(1);
        loop {
            let t = NEXT.fetch_add(1, Ordering::Relaxed);
            if t != 0 {
                return LedgerTag(t);
            }
        }
    }
}

/// The tag of an interner: a clone gets a fresh one, so that the ids of
/// two ledgers that went apart after a clone are told apart.
struct Owner(LedgerTag);

impl Clone for Owner {
    fn clone(&self) -> Owner {
        Owner(LedgerTag::fresh())
    }
}

/// Keys up to this many bytes are kept inside the hash table's slots, so
/// that a lookup touches one slot and no key storage.
const INLINE: usize = 11;
/// The length byte of a slot holding a longer key's first bytes.
const LONG: u8 = u8::MAX;
/// The id of an empty slot.
const EMPTY: u32 = u32::MAX;

/// A slot of the open-addressing table: the key inline when short (its
/// length in the last byte), else its first bytes and the marker `LONG`;
/// and the id. Four slots share a cache line.
///
/// The 12 key bytes are held as two integers so that a comparison is two
/// register compares, not a call to `memcmp`.
#[derive(Clone, Copy)]
struct Slot {
    k0: u64,
    k1: u32,
    id: u32,
}

const VACANT: Slot = Slot {
    k0: 0,
    k1: 0,
    id: EMPTY,
};

/// The inline form of `key`: its first 11 bytes, zero padded, and its
/// length (or `LONG`) in the 12th.
fn pack(key: &[u8]) -> (u64, u32) {
    let mut k = [0u8; INLINE + 1];
    if key.len() <= INLINE {
        k[..key.len()].copy_from_slice(key);
        k[INLINE] = key.len() as u8;
    } else {
        k[..INLINE].copy_from_slice(&key[..INLINE]);
        k[INLINE] = LONG;
    }
    let mut lo = [0u8; 8];
    let mut hi = [0u8; 4];
    lo.copy_from_slice(&k[..8]);
    hi.copy_from_slice(&k[8..]);
    (u64::from_le_bytes(lo), u32::from_le_bytes(hi))
}

impl Slot {
    fn new(key: &[u8], id: u32) -> Slot {
        let (k0, k1) = pack(key);
        Slot { k0, k1, id }
    }
}

/// Maps customer keys to dense [`CustomerId`]s and back.
///
/// Keys live back to back in one string. The hash table (open addressing,
/// linear probing) holds short keys (up to 11 bytes, most integrators' ids)
/// inline with their id, so a lookup by `&str` usually touches one cache
/// line and allocates nothing; longer keys are compared against the
/// string. Memory per customer is the key's bytes plus 20 to 40 bytes.
///
/// A hand-written table rather than `hashbrown`: the ledger's batch path
/// ([`Ledger::record_sales`](crate::Ledger::record_sales)) needs to touch a
/// key's home slot before looking it up, so that the cache misses of a
/// batch overlap; hashbrown does not expose where a hash lands.
///
/// Keys come from outside, so the hash is seeded at random: foldhash with a
/// seed drawn once per process from the operating system (through std's
/// `RandomState`) and a further seed per interner. Keys crafted to collide
/// under one seed (linear probing turns a shared home slot into quadratic
/// time) do not collide under another, and the seed cannot be learnt from
/// outside the process. Nothing observable depends on the seed: ids are
/// handed out in order of first appearance and every iteration goes by id,
/// never by slot.
#[derive(Clone)]
pub struct Interner {
    owner: Owner,
    slots: Vec<Slot>,
    mask: usize,
    state: SeedableRandomState,
    bytes: String,
    ends: Vec<u32>,
}

/// The process's random foldhash seed, drawn on first use.
fn shared_seed() -> &'static SharedSeed {
    static SEED: OnceLock<SharedSeed> = OnceLock::new();
    SEED.get_or_init(|| SharedSeed::from_u64(random_u64()))
}

/// 64 random bits: std's `RandomState` is keyed from the operating
/// system's entropy (once per thread, then stepped), so hashing a constant
/// with a fresh one gives an unpredictable value.
fn random_u64() -> u64 {
    std::hash::RandomState::new().hash_one(0x5EED_u64)
}

impl Default for Interner {
    fn default() -> Interner {
        Interner {
            owner: Owner(LedgerTag::fresh()),
            slots: vec![VACANT; 16],
            mask: 15,
            state: SeedableRandomState::with_seed(random_u64(), shared_seed()),
            bytes: String::new(),
            ends: Vec::new(),
        }
    }
}

impl std::fmt::Debug for Interner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Interner")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

/// The most customers an interner holds.
pub(crate) const MAX_CUSTOMERS: u64 = u32::MAX as u64 - 1;

impl Interner {
    /// An empty interner.
    pub fn new() -> Interner {
        Interner::default()
    }

    /// The tag carried by the ids of this interner.
    pub fn tag(&self) -> LedgerTag {
        self.owner.0
    }

    /// The index of `id` in this interner.
    ///
    /// # Errors
    ///
    /// [`Error::ForeignId`] when `id` was made by another interner.
    #[inline]
    pub fn index_of(&self, id: CustomerId) -> Result<usize> {
        if id.tag == self.owner.0.0 && id.index() < self.ends.len() {
            Ok(id.index())
        } else {
            Err(Error::ForeignId {
                index: id.index as u64,
            })
        }
    }

    fn id(&self, index: u32) -> CustomerId {
        CustomerId {
            index,
            tag: self.owner.0.0,
        }
    }

    /// The number of keys interned.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether no key was interned.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Reserves room for `additional` more keys without growing the table.
    pub fn reserve(&mut self, additional: usize) {
        let most = usize::try_from(MAX_CUSTOMERS).unwrap_or(usize::MAX);
        let want = self.len().saturating_add(additional).min(most);
        while want > self.capacity() {
            self.grow();
        }
        self.ends.reserve(want.saturating_sub(self.len()));
    }

    /// Keys the table holds before it grows: 70% of its slots.
    fn capacity(&self) -> usize {
        self.slots.len() / 10 * 7
    }

    fn grow(&mut self) {
        let n = self.slots.len() * 2;
        let mut slots = vec![VACANT; n];
        let mask = n - 1;
        for s in self.slots.iter().filter(|s| s.id != EMPTY) {
            let key = self.key_bytes(s.id);
            let mut i = self.state.hash_one(key) as usize & mask;
            while slots[i].id != EMPTY {
                i = (i + 1) & mask;
            }
            slots[i] = *s;
        }
        self.slots = slots;
        self.mask = mask;
    }

    /// Frees the hash table, keeping the keys by id, for an interner that
    /// is only read by id until it is dropped
    /// ([`Ledger::merge_from`](crate::Ledger::merge_from)). Lookups by key
    /// find nothing after.
    pub(crate) fn release_table(&mut self) {
        self.slots = vec![VACANT; 16];
        self.mask = 15;
    }

    fn key_bytes(&self, id: u32) -> &[u8] {
        let i = id as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes.as_bytes()[start..self.ends[i] as usize]
    }

    /// The hash of `key`, for [`Interner::touch`] and the `*_hashed` calls.
    pub(crate) fn hash(&self, key: &[u8]) -> u64 {
        self.state.hash_one(key)
    }

    /// Reads the home slot of `hash` and returns a value derived from it,
    /// to be passed to [`std::hint::black_box`]: loading the slots of a
    /// batch before looking them up lets their cache misses overlap.
    pub(crate) fn touch(&self, hash: u64) -> u32 {
        self.slots[hash as usize & self.mask].id
    }

    /// Finds the slot of `key` or the empty slot where it would go.
    fn probe(&self, key: &[u8], hash: u64) -> (usize, bool) {
        let mut i = hash as usize & self.mask;
        let (k0, k1) = pack(key);
        let long = key.len() > INLINE;
        loop {
            let s = &self.slots[i];
            if s.id == EMPTY {
                return (i, false);
            }
            if s.k0 == k0 && s.k1 == k1 && (!long || self.key_bytes(s.id) == key) {
                return (i, true);
            }
            i = (i + 1) & self.mask;
        }
    }

    /// The key of `id`.
    ///
    /// # Errors
    ///
    /// [`Error::ForeignId`] when `id` was made by another interner.
    pub fn key(&self, id: CustomerId) -> Result<&str> {
        Ok(self.key_at(self.index_of(id)?))
    }

    /// The key at index `i`, which must be below [`Interner::len`].
    pub(crate) fn key_at(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// The id of `key`, if it was interned.
    pub fn get(&self, key: &str) -> Option<CustomerId> {
        let (i, found) = self.probe(key.as_bytes(), self.hash(key.as_bytes()));
        found.then(|| self.id(self.slots[i].id))
    }

    /// The id of `key`, interning it first if it is new; the flag says
    /// whether it was new.
    ///
    /// # Errors
    ///
    /// [`Error::Capacity`] past `u32::MAX - 1` keys or 4 GiB of key bytes.
    pub fn intern(&mut self, key: &str) -> Result<(CustomerId, bool)> {
        let hash = self.hash(key.as_bytes());
        self.intern_hashed(key, hash)
    }

    /// [`Interner::intern`] with the hash already computed.
    pub(crate) fn intern_hashed(&mut self, key: &str, hash: u64) -> Result<(CustomerId, bool)> {
        let k = key.as_bytes();
        let (mut i, found) = self.probe(k, hash);
        if found {
            return Ok((self.id(self.slots[i].id), false));
        }
        let capacity = || Error::Capacity { max: MAX_CUSTOMERS };
        let id = u32::try_from(self.ends.len())
            .ok()
            .filter(|&id| u64::from(id) < MAX_CUSTOMERS)
            .ok_or_else(capacity)?;
        let end = u32::try_from(self.bytes.len() + k.len()).map_err(|_| capacity())?;
        if self.len() + 1 > self.capacity() {
            self.grow();
            i = self.probe(k, hash).0;
        }
        self.bytes.push_str(key);
        self.ends.push(end);
        self.slots[i] = Slot::new(k, id);
        Ok((self.id(id), true))
    }

    /// Every id with its key, in id order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (CustomerId, &str)> + '_ {
        ids(self.tag(), self.ends.len()).map(|id| (id, self.key_at(id.index())))
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
            assert_eq!(i.intern(k).unwrap(), (i.id(n as u32), false));
            assert_eq!(i.get(k), Some(i.id(n as u32)));
            assert_eq!(i.key(i.id(n as u32)), Ok(k.as_str()));
        }
        assert_eq!(i.get("nope"), None);
        assert_eq!(i.len(), 10_000);
    }

    impl Interner {
        /// The longest distance of a key from its home slot.
        fn longest_probe(&self) -> usize {
            (0..self.slots.len())
                .filter(|&i| self.slots[i].id != EMPTY)
                .map(|i| {
                    let home = self.hash(self.key_bytes(self.slots[i].id)) as usize & self.mask;
                    i.wrapping_sub(home) & self.mask
                })
                .max()
                .unwrap_or(0)
        }
    }

    /// Keys crafted against a fixed hash seed share their home slot at
    /// every table size up to 4,096 slots; under the old fixed seed each
    /// insertion probed past all earlier ones (quadratic time). A seeded
    /// table scatters them.
    #[test]
    fn crafted_collisions_do_not_cluster() {
        let fixed = foldhash::fast::FixedState::default();
        let low = |k: &str| fixed.hash_one(k.as_bytes()) & 0xFFF;
        let target = low("C0");
        let keys: Vec<String> = (0u64..)
            .map(|n| format!("C{n}"))
            .filter(|k| low(k) == target)
            .take(2_000)
            .collect();
        let mut i = Interner::new();
        for k in &keys {
            i.intern(k).unwrap();
        }
        assert_eq!(i.len(), 2_000);
        assert!(i.longest_probe() < 200, "{}", i.longest_probe());
        for (n, k) in keys.iter().enumerate() {
            assert_eq!(i.get(k), Some(i.id(n as u32)));
        }
    }

    #[test]
    fn ids_of_another_interner_or_a_clone_are_refused() {
        let mut a = Interner::new();
        let (x, _) = a.intern("X").unwrap();
        let mut b = a.clone();
        let mut c = Interner::new();
        let (y, _) = c.intern("Y").unwrap();
        assert_eq!(a.key(x), Ok("X"));
        assert_ne!(a.tag(), b.tag());
        assert_eq!(b.key(x), Err(Error::ForeignId { index: 0 }));
        assert_eq!(a.key(y), Err(Error::ForeignId { index: 0 }));
        assert_eq!(b.intern("X").unwrap().0.ledger(), b.tag());
        assert!(a.key(CustomerId::default()).is_err());
    }

    #[test]
    fn interners_are_seeded_apart() {
        let (a, b) = (Interner::new(), Interner::new());
        let keys = ["C1", "C2", "a-much-longer-customer-key"];
        assert!(
            keys.iter()
                .any(|k| a.hash(k.as_bytes()) != b.hash(k.as_bytes()))
        );
    }
}
