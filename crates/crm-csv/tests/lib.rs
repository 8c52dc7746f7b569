//! Integration tests of the CSV adapter: every malformed case, the
//! accepted formats, lenient mode, the parallel reader, export.

mod formats;
mod malformed;
mod no_panic;
mod parallel;
mod util;
mod write;
