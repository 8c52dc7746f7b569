//! Integration tests of the Parquet reader and writers.

mod equivalence;
mod errors;
mod files;
mod runs;
mod types;
mod util;
mod write;
