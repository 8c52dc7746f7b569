use crm::synth::{SynthConfig, write_dataset};

use crate::args::GenerateArgs;
use crate::{Failure, Outcome};

pub(crate) fn run(a: GenerateArgs) -> Outcome {
    let config = SynthConfig::new(a.customers)
        .years(a.years)
        .last_year(a.last_year)
        .seed(a.seed);
    let written = write_dataset(&config, &a.out).map_err(|e| match e {
        crm::synth::Error::Config(msg) => Failure::Usage(msg),
        other => Failure::Data(anyhow::Error::new(other).context("cannot write the data set")),
    })?;
    let names = [
        &written.transactions,
        &written.customers,
        &written.interactions,
        &written.campaign_control,
    ];
    for (path, rows) in names.iter().zip(written.rows) {
        note!("wrote {} ({rows} rows)", path.display());
    }
    note!(
        "wrote {} ({} rows)",
        written.leads.display(),
        written.lead_rows
    );
    Ok(())
}
