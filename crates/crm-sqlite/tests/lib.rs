//! Integration tests of the SQLite store.

mod laws;
mod parallel;
mod sqlite;
