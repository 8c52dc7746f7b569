//! Integration tests of the `crm` facade: the examples run, and the
//! facade's paths work together end to end.

#[path = "../examples/pyramid_from_csv.rs"]
mod pyramid_from_csv;

#[path = "../examples/migration_from_csv.rs"]
mod migration_from_csv;

#[path = "../examples/clv_from_csv.rs"]
mod clv_from_csv;

#[path = "../examples/actions_from_csv.rs"]
mod actions_from_csv;

#[cfg(feature = "serde")]
#[path = "../examples/pyramid_from_own_rows.rs"]
mod pyramid_from_own_rows;

#[cfg(feature = "serde")]
#[path = "../examples/value_from_own_rows.rs"]
mod value_from_own_rows;

// Its `main` reads the output path from the command line, which is the
// test harness's here: the test calls `write_chart`.
#[allow(dead_code)]
#[path = "../examples/pyramid_chart_svg.rs"]
mod pyramid_chart_svg;

#[cfg(feature = "sqlite")]
#[path = "../examples/store_round_trip.rs"]
mod store_round_trip;

mod errors;
mod facade;
mod serde_contract;
