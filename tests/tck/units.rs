//! Unit tests of the TCK runner's parts (the runner itself has no test harness).
//!
//! The modules are the runner's own; some of their items serve only the runner's `main`.
#![allow(dead_code)]

mod compare;
mod gherkin;
mod isolate;
mod report;
mod run;
mod side_effects;
mod steps;
mod suite;
mod tiers;
mod values;
