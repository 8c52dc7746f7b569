//! The in-memory store passes the conformance suite that the SQLite store
//! passes.

use crm_inmemory_store::MemoryStore;

#[test]
fn the_in_memory_store_conforms() {
    crm::store::conformance::run(MemoryStore::new);
}
