//! Regression tests, named for the issue they came from.
