//! Integration tests of the `crm` facade: the examples run, and the
//! facade's paths work together end to end.

#[path = "../examples/pyramid_from_csv.rs"]
mod pyramid_from_csv;

mod facade;
