//! `feedctl auth check`: log in, ask the pod who we are, and say which endpoints answered.

use anyhow::Result;

use super::load_settings;
use crate::cli::Global;
use crate::exit::Exit;
use crate::output;
use crate::output::Printer;
use crate::symphony::check;

pub async fn check(g: &Global, p: &Printer) -> Result<Exit> {
    let settings = load_settings(g)?;
    let report = check::check(&settings).await?;
    output::auth::auth_report(p, &report, p.format(g.output))?;
    Ok(Exit::Success)
}
