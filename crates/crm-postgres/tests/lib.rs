//! The PostgreSQL store's tests, against a throw-away server.
mod postgres;
mod snapshot;
