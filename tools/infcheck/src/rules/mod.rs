//! The rules, one module per area. Each `check` reads the [`Context`] and reports findings.

use crate::context::Context;

pub mod dch;
pub mod install;
pub mod models;
pub mod params;
pub mod services;
pub mod syntax;
pub mod version;

/// Runs every rule.
pub fn check_all(ctx: &mut Context) {
    syntax::check(ctx);
    version::check(ctx);
    models::check(ctx);
    let installs = crate::resolve::install_sections(ctx);
    for section in &installs {
        install::check(ctx, section);
        params::check(ctx, section);
        services::check(ctx, section);
    }
    dch::check(ctx);
}
