//! `crm campaign measure`: a campaign's treated customers against its
//! control group.

use std::collections::HashSet;
use std::io::Write;

use anyhow::Context;
use crm::ops::{CampaignMeasure, CampaignOptions};
use crm::{Datelike, Ledger, Period};

use std::path::Path;

use crate::args::{CampaignMeasureArgs, Format, InputArgs};
use crate::cmd::pyramids;
use crate::input::{customer_list, load, spool_stdin, with_interactions, with_sales};
use crate::options::{period, pyramid_options, usage};
use crate::output::ops as render;
use crate::{Failure, Outcome};

/// A measurement of `campaign` fed with every interaction, the control
/// list and every sale of the input (standard input spooled by the
/// caller: it is read twice).
pub(crate) fn fed(
    input: &InputArgs,
    campaign: &str,
    control_file: &Path,
    window_days: u32,
) -> Result<CampaignMeasure, Failure> {
    let mut feed = Feed::new(campaign, control_file, window_days);
    let all = Period::new(crm::store::MIN_DATE, crm::store::MAX_DATE)
        .context("the period of all dates")?;
    with_interactions(input, &all, |it| {
        for i in it {
            feed.interaction(&i)?;
        }
        Ok(())
    })?;
    feed.control()?;
    with_sales(input, &mut |key, date, revenue| {
        feed.sale(key, date, revenue)
    })?;
    Ok(feed.finish())
}

/// A campaign measure being fed: every interaction, then the control
/// group ([`Feed::control`]), then every sale
/// ([`CampaignMeasure::add_sale`] wants every send first), then
/// [`Feed::finish`].
pub(crate) struct Feed {
    measure: CampaignMeasure,
    /// The campaign's name.
    campaign: String,
    /// The control group's file, read by [`Feed::control`].
    control_file: std::path::PathBuf,
    /// The control group's size.
    control: usize,
    /// Control keys without a sale so far.
    unseen: HashSet<String>,
}

impl Feed {
    /// A measure of `campaign`, whose control group `control_file` gives.
    pub(crate) fn new(campaign: &str, control_file: &Path, window_days: u32) -> Feed {
        Feed {
            measure: CampaignMeasure::new(
                campaign,
                CampaignOptions::new().window_days(window_days),
            ),
            campaign: campaign.to_string(),
            control_file: control_file.to_path_buf(),
            control: 0,
            unseen: HashSet::new(),
        }
    }

    /// Takes one interaction.
    pub(crate) fn interaction(&mut self, i: &crm::Interaction) -> anyhow::Result<()> {
        Ok(self.measure.add_interaction(i)?)
    }

    /// After every interaction: fails when none was a send of the campaign
    /// (there is nothing to measure), else reads the control group.
    pub(crate) fn control(&mut self) -> Result<(), Failure> {
        if self.measure.first_send().is_none() {
            return Err(Failure::Data(anyhow::anyhow!(
                "no campaign-sent interactions for campaign {:?}: nothing to measure",
                self.campaign
            )));
        }
        let control = customer_list(&self.control_file, Some(&self.campaign))?;
        self.measure.set_control(control.iter().map(String::as_str));
        self.control = control.len();
        self.unseen = control.into_iter().collect();
        Ok(())
    }

    /// Takes one sale.
    pub(crate) fn sale(
        &mut self,
        key: &str,
        date: crm::NaiveDate,
        revenue: crm::Money,
    ) -> anyhow::Result<()> {
        if !self.unseen.is_empty() {
            self.unseen.remove(key);
        }
        Ok(self.measure.add_sale(key, date, revenue)?)
    }

    /// The measure; says on standard error how many control customers
    /// had no sale at all.
    pub(crate) fn finish(self) -> CampaignMeasure {
        // A control customer without a single sale may be real (a customer
        // who did not buy) or a key of another system: say how many, since
        // both count as not responding.
        let unseen = self.unseen.len();
        if unseen > 0 {
            note!(
                "crm: note: {unseen} of {} control customers have no transaction at all in the data (counted as not responding; check that the control file's keys are this data's)",
                self.control
            );
        }
        self.measure
    }
}

pub(crate) fn measure(mut a: CampaignMeasureArgs) -> Outcome {
    // The interactions and the transactions are read twice.
    let _spool_i = spool_stdin(&mut a.input.interactions)?;
    let _spool_t = spool_stdin(&mut a.input.transactions)?;
    if a.input.db.is_none() && a.input.interactions.is_none() {
        return Err(usage(
            "give --interactions (with the campaign-sent rows) or --db",
        ));
    }
    let options = pyramid_options(&a.levels)?;
    let lang = crate::options::lang(a.out.lang.as_deref())?;
    let m = fed(&a.input, &a.campaign, &a.control_file, a.window_days)?;

    // The pyramids around the campaign, for the movement.
    let first = m.first_send();
    let to = match &a.to {
        Some(s) => Some(period("to", s)?),
        None => first.and_then(|d| Period::year(d.year()).ok()),
    };
    let from = match &a.from {
        Some(s) => Some(period("from", s)?),
        None => to.and_then(|p| p.previous_calendar()),
    };
    if let (Some(from), Some(to)) = (from, to)
        && to.end() <= from.end()
    {
        return Err(usage(format!("--to {to} must end after --from {from}")));
    }
    let pair: Vec<Period> = [from, to].into_iter().flatten().collect();
    let mut ledger = Ledger::new(pair.iter().copied());
    let built = if pair.len() == 2 {
        load(&a.input, &mut ledger)?;
        pyramids(&ledger, &pair, &options)?
    } else {
        Vec::new()
    };
    let r = m
        .finish(&ledger, built.first(), built.get(1))
        .context("cannot measure the campaign")?;
    let mut out = crate::output::stdout_for(a.out.format)?;
    match a.out.format {
        Format::Table => render::campaign_table(&mut out, &r, from.zip(to), lang)?,
        Format::Json => crate::output::write_json(&mut out, &r)?,
        Format::Csv | Format::Parquet => render::campaign_csv(&mut out, &r)?,
    }
    out.flush().context("cannot write the output")?;
    Ok(())
}
