//! Integration tests of the CSV adapter: every malformed case, the
//! accepted formats, lenient mode, the parallel reader, export.

mod bom;
mod formats;
mod lines;
mod malformed;
mod no_panic;
mod parallel;
mod streams;
mod util;
mod write;
