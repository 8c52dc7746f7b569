//! `crm actions`: per customer, the action a rulebook proposes, with
//! explanations, target lists with a control group, and outcomes.

use std::io::{BufWriter, Write};

use anyhow::Context;
use crm::strategy::{
    ActionChannel, Control, Facts, FactsBuilder, RuleVerdict, Rulebook, Strategy, acceptance,
    explain_declined, overview, plan, suppress_declined, target_list,
};
use crm::{Decimal, Ledger, LedgerOptions, Period};

use crate::args::{ActionsArgs, Format};
use crate::cmd::pyramids;
use crate::input::{
    leads_of, load, read_config, read_outcomes, register_of, report_rejects, rulebook, spool_stdin,
    stored_outcomes, warn_margin, with_interactions,
};
use crate::options::{period, pyramid_options, usage};
use crate::output::strategy as render;
use crate::{Failure, Outcome as CmdOutcome};

pub(crate) fn run(a: ActionsArgs) -> CmdOutcome {
    // Tables and explanations are for people (sanitized for a terminal);
    // JSON, CSV and the printed rulebook stay exact.
    let mut out = if a.print_default_rules {
        crate::output::stdout(false)
    } else {
        crate::output::stdout_for(a.format)?
    };
    if a.print_default_rules {
        out.write_all(crm::strategy::DEFAULT_RULES.as_bytes())
            .context("cannot write the output")?;
        out.flush().context("cannot write the output")?;
        return Ok(());
    }
    // The interactions are read twice (the ledger, then the profit):
    // standard input is kept for the second.
    let mut a = a;
    let _spool = spool_stdin(&mut a.input.interactions)?;
    let input = a.input.input();
    if input.transactions.is_none() && input.db.is_none() {
        return Err(usage("give --transactions FILE or --db FILE"));
    }
    if a.decline_days.is_some() && a.outcomes.is_none() && input.db.is_none() {
        return Err(usage(
            "--decline-days needs outcomes: --outcomes FILE, or --db FILE with stored outcomes",
        ));
    }
    let p = period("period", a.period.as_deref().unwrap_or_default())?;
    let lang = crate::options::lang(a.lang.lang.as_deref())?;
    let book = rulebook(a.rules.as_deref())?;
    let strategy = match &a.strategy {
        Some(s) => Some(s.parse::<Strategy>().map_err(|_| {
            usage(format!(
                "--strategy: unknown strategy {s:?} (target, acquire, retain, develop, phase-out)"
            ))
        })?),
        None => None,
    };
    let channel = match &a.channel {
        Some(c) => Some(c.parse::<ActionChannel>().map_err(|_| {
            usage(format!(
                "--channel: unknown channel {c:?} (email, phone, post, visit, meeting)"
            ))
        })?),
        None => None,
    };
    let control = match &a.control {
        Some(c) => control_of(c)?,
        None => Control::None,
    };
    let options = pyramid_options(&a.levels)?;

    // The period and the ones before it, for the history: the previous
    // calendar years, quarters or months of a calendar unit (2024 and 2023
    // for 2025, though 2024 is a day longer), else periods of equal length.
    let mut periods = vec![p];
    while periods.len() <= usize::from(a.history) {
        match periods.last().and_then(Period::previous_calendar) {
            Some(prev) => periods.push(prev),
            None => break,
        }
    }
    // Purchase days cost a third of the ledger's time on a large file;
    // keep them only when a rule reads a fact built on them, or to explain
    // one customer with every fact.
    let days =
        a.explain.is_some() || a.lifetime.p_alive_model.is_some() || book.reads_purchase_days();
    let mut ledger = Ledger::with_options(
        periods.iter().copied(),
        LedgerOptions::new().purchase_days(days),
    );
    // The register is read once, whole (the facts need consent, segment
    // and potential), and fed to the ledger from memory.
    let mut register = register_of(&input)?;
    // Names and the attributes no rule reads are not facts: drop them, a
    // register of a million parties is large enough without them.
    for c in &mut register {
        c.name = None;
        c.attributes.retain(|k, _| book.attributes().contains(k));
    }
    if input.db.is_none() {
        for c in &register {
            ledger
                .add_customer(c)
                .context("cannot import the customers")?;
        }
        let mut rest = a.input.input();
        rest.customers = None;
        load(&rest, &mut ledger)?;
    } else {
        load(&input, &mut ledger)?;
    }
    warn_margin(&ledger, options.basis);
    let built = pyramids(&ledger, &periods, &options)?;
    let leads = match &a.leads {
        Some(path) => Some(leads_of(path, &input.csv)?),
        None => None,
    };
    let stats = ledger.stats();
    let margins = stats.transactions > stats.transactions_without_margin;
    let profit = if margins || a.costs.is_some() {
        let costs: crm::value::CostTable = match &a.costs {
            Some(path) => read_config(path, "cost table")?,
            None => crm::value::CostTable::default(),
        };
        // Interactions cost what the table or their own cost says; they are
        // streamed through the profit, never all held at once.
        // Only the profit per customer is a fact: no rows, whale curve or
        // profit pyramid are built.
        Some(with_interactions(&input, &p, |interactions| {
            let mut served =
                crm::value::CostToServe::new(p, &costs).context("cannot compute the profit")?;
            for i in interactions {
                served.add(&i).context("cannot compute the profit")?;
            }
            crm::value::profit_by_id(&ledger, &served).context("cannot compute the profit")
        })?)
    } else {
        None
    };
    // P(alive) and lifetime value from a model fitted on the purchase days
    // up to the period's end, as `crm value risk` fits it.
    let lifetime = crate::cmd::clv::lifetime_by_key(
        &a.lifetime,
        &ledger,
        p.end(),
        a.clv_months.map(|m| (m, a.clv_discount, &input)),
    )?;
    let mut builder = FactsBuilder::new(&ledger, &built[0])
        .history(built[1..].iter())
        .register(&register)
        .attributes(book.attributes());
    if let Some(pr) = profit {
        builder = builder.profits(p, pr);
    }
    if let Some(l) = &leads {
        builder = builder.leads(l);
    }
    if let Some(values) = lifetime {
        // BTreeMap order: the builder's input does not depend on hashing.
        let sorted: std::collections::BTreeMap<_, _> = values.into_iter().collect();
        builder = builder.lifetime(sorted.into_iter().map(|(k, (p, clv))| {
            let clv = clv
                .and_then(|v| Decimal::try_from(v).ok())
                .map(|v| crm::Money::new(v.round_dp(2)));
            (k, p, clv)
        }));
    }
    let table = builder.build().context("cannot assemble the facts")?;

    // Outcomes from the file, else those stored in the database.
    let outcomes = match (&a.outcomes, &input.db) {
        (Some(path), _) => {
            let (outcomes, report) = read_outcomes(path, Some(p.end()), input.csv.lenient, |o| {
                if ledger.id(o.customer.as_str()).is_none() {
                    Some((
                        "customer",
                        format!("customer {:?} is not in the data", o.customer.as_str()),
                    ))
                } else if !book.rules().iter().any(|r| r.name == o.rule) {
                    Some((
                        "rule",
                        format!("rule {:?} is not in the rulebook {}", o.rule, book.name()),
                    ))
                } else {
                    None
                }
            })?;
            report_rejects(&input.csv, &[report])?;
            Some(outcomes)
        }
        (None, Some(db)) => {
            // The database may hold outcomes of other rulebooks or of
            // customers imported later: those are not applied, and said.
            let (known, strangers): (Vec<_>, Vec<_>) =
                stored_outcomes(db, p.end())?.into_iter().partition(|o| {
                    ledger.id(o.customer.as_str()).is_some()
                        && book.rules().iter().any(|r| r.name == o.rule)
                });
            if let Some(first) = strangers.first() {
                note!(
                    "crm: warning: {} of {} stored outcomes name a customer not in the data or a \
                     rule not in the rulebook {}; they are not applied (first: customer {:?}, \
                     rule {:?}, {})",
                    strangers.len(),
                    known.len() + strangers.len(),
                    book.name(),
                    first.customer,
                    first.rule,
                    first.date
                );
            }
            Some(known).filter(|o| !o.is_empty())
        }
        (None, None) => None,
    };
    let decline_days = a.decline_days.unwrap_or(90);

    // One customer's explanation; with --channel, where they stand on the
    // list (which needs the whole plan).
    let explained = match &a.explain {
        Some(key) => {
            let Some(id) = ledger.id(key).filter(|id| table.customers().contains(id)) else {
                return Err(Failure::Data(anyhow::anyhow!(
                    "customer {key:?} is not in the pyramid of {p}"
                )));
            };
            let facts = table.facts(id).context("cannot gather the facts")?;
            let mut verdicts = book.explain(&facts);
            if let Some(o) = &outcomes {
                explain_declined(&mut verdicts, key, o, &p, decline_days);
            }
            if channel.is_none() {
                explain(&mut out, a.format, &book, &p, &facts, &verdicts, None)?;
                out.flush().context("cannot write the output")?;
                return Ok(());
            }
            Some((facts, verdicts))
        }
        None => None,
    };

    let keep = |s: Strategy, o: &str| {
        strategy.is_none_or(|x| s == x) && a.owner.as_ref().is_none_or(|x| x == o)
    };
    if channel.is_none() && a.format == Format::Table && outcomes.is_none() {
        // A table shows the counts and the most urgent actions: only those
        // are built.
        let top = overview(&table, &book, a.limit, keep);
        let total = usize::try_from(top.actions).unwrap_or(usize::MAX);
        render::plan_table(&mut out, &top.plan, total, None, a.limit, lang)?;
        out.flush().context("cannot write the output")?;
        return Ok(());
    }
    let mut planned = plan(&table, &book);
    let accepted = match &outcomes {
        Some(outcomes) => {
            suppress_declined(&mut planned, outcomes, decline_days);
            Some(acceptance(outcomes, &book))
        }
        None => None,
    };
    if strategy.is_some() || a.owner.is_some() {
        planned.actions.retain(|x| keep(x.strategy, &x.owner));
        planned.recount();
    }

    if let Some(channel) = channel {
        let campaign = a.campaign.clone().unwrap_or_default();
        let list = target_list(&planned, &table, strategy, channel, &campaign, control);
        if let Some((facts, verdicts)) = &explained {
            let place = render::ListPlace {
                list: &list,
                placement: list.placement(&planned, &table, facts.key()),
            };
            explain(&mut out, a.format, &book, &p, facts, verdicts, Some(&place))?;
            out.flush().context("cannot write the output")?;
            return Ok(());
        }
        render::target_note(&list);
        if let Some(path) = &a.control_out {
            // Rendered in memory first, so that a write error names the file.
            let mut csv = Vec::new();
            render::actions_csv(&mut csv, &list.control)?;
            let mut f = BufWriter::new(
                std::fs::File::create(path)
                    .with_context(|| format!("cannot create {}", path.display()))?,
            );
            f.write_all(&csv)
                .and_then(|()| f.flush())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        match a.format {
            Format::Csv | Format::Parquet => render::actions_csv(&mut out, &list.selected)?,
            Format::Json => render::target_json(&mut out, &list)?,
            Format::Table => {
                render::actions_list(&mut out, &list.selected, list.selected.len(), a.limit, lang)?
            }
        }
    } else {
        match a.format {
            Format::Table => render::plan_table(
                &mut out,
                &planned,
                planned.actions.len(),
                accepted.as_ref(),
                a.limit,
                lang,
            )?,
            Format::Json => render::plan_json(&mut out, &planned, accepted.as_ref())?,
            Format::Csv | Format::Parquet => render::actions_csv(&mut out, &planned.actions)?,
        }
    }
    out.flush().context("cannot write the output")?;
    // The process ends here: a million actions hold ten million small
    // allocations, and freeing them one by one costs more than planning
    // them did. The system takes the memory back at exit.
    std::mem::forget(planned);
    Ok(())
}

/// Renders one customer's explanation in the chosen format.
fn explain(
    out: &mut impl Write,
    format: Format,
    book: &Rulebook,
    p: &Period,
    facts: &Facts<'_>,
    verdicts: &[RuleVerdict],
    place: Option<&render::ListPlace<'_>>,
) -> Result<(), Failure> {
    match format {
        Format::Json => render::explain_json(out, book, p, facts, verdicts, place)?,
        Format::Csv | Format::Parquet => render::explain_csv(out, facts, verdicts, place)?,
        Format::Table => render::explain_table(out, book, facts, verdicts, place)?,
    }
    Ok(())
}

fn control_of(s: &str) -> Result<Control, Failure> {
    let bad = || {
        usage(format!(
            "--control: {s:?} is not a count or a percentage (10 or 10%)"
        ))
    };
    match s.trim().strip_suffix('%') {
        Some(p) => {
            let p: Decimal = p.trim().parse().map_err(|_| bad())?;
            if p.is_sign_negative() || p > Decimal::ONE_HUNDRED {
                return Err(bad());
            }
            Ok(Control::Percent(p))
        }
        None => Ok(Control::Count(s.trim().parse().map_err(|_| bad())?)),
    }
}
