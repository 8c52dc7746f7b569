//! Purchase histories simulated from known parameters, for tests and
//! benchmarks.
