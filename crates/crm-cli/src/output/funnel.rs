//! `crm funnel`: the funnel, pipeline, stale leads and quality of
//! acquisition as terminal tables (in the language of `--lang`), JSON and
//! CSV; without leads, the suspect → prospect → customer rates.

use std::io::Write;

use crm::LeadStage;
use crm::ops::{AcquisitionRates, Funnel, FunnelGroup, GroupBy};
use crm::pyramid::Level;
use crm::report::Lang;

use super::{count_in, csv_table, grid, human_in, right};

/// What `crm funnel` shows: the funnel when there are leads, and always
/// the acquisition rates of the migration matrix.
#[derive(Debug, serde::Serialize)]
pub(crate) struct FunnelView {
    /// The funnel; `null` without lead data.
    pub funnel: Option<Funnel>,
    /// Suspect → prospect → customer, from the period before to the period.
    pub acquisition_rates: AcquisitionRates,
}

fn stage_name(lang: Lang, s: LeadStage) -> &'static str {
    let names = lang.texts().funnel_table.stages;
    let i = match s {
        LeadStage::Lead => 0,
        LeadStage::Qualified => 1,
        LeadStage::Quote => 2,
        LeadStage::Won => 3,
        _ => 4,
    };
    names.get(i).copied().unwrap_or("")
}

fn by_name(lang: Lang, by: GroupBy) -> &'static str {
    let t = &lang.texts().funnel_table;
    match by {
        GroupBy::Owner => t.by[0],
        _ => t.by[1],
    }
}

fn share(lang: Lang, x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |v| lang.percent(v))
}

fn days(lang: Lang, x: Option<f64>) -> String {
    x.map_or_else(
        || "-".to_string(),
        |v| super::local(lang, format!("{v:.1}")),
    )
}

fn name_or_none(lang: Lang, n: Option<&str>) -> String {
    n.map_or_else(
        || lang.texts().funnel_table.none.to_string(),
        str::to_string,
    )
}

/// The reached count of `stage` in a group.
fn reached(g: &FunnelGroup, stage: LeadStage) -> u64 {
    g.stages
        .iter()
        .find(|s| s.stage == stage)
        .map_or(0, |s| s.reached)
}

pub(crate) fn table(
    out: &mut impl Write,
    view: &FunnelView,
    limit: usize,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = &lang.texts().funnel_table;
    let Some(f) = &view.funnel else {
        return rates_table(out, &view.acquisition_rates, lang);
    };
    writeln!(
        out,
        "{}\n",
        t.heading
            .replace("{period}", &f.period.to_string())
            .replace("{as_of}", &f.as_of.to_string())
    )?;
    writeln!(
        out,
        "{}",
        t.leads
            .replace("{leads}", &count_in(lang, f.leads))
            .replace("{created}", &count_in(lang, f.total.created))
            .replace("{undated}", &count_in(lang, f.undated))
    )?;
    let mut g = grid();
    g.set_header(t.stage_columns.to_vec());
    for s in &f.total.stages {
        g.add_row(vec![
            comfy_table::Cell::new(stage_name(lang, s.stage)),
            right(count_in(lang, s.reached)),
            right(share(lang, s.conversion)),
            right(days(lang, s.median_days)),
            right(count_in(lang, s.timed)),
        ]);
    }
    writeln!(out, "{g}")?;
    let tot = &f.total;
    writeln!(
        out,
        "{}",
        t.outcome
            .replace("{won}", &count_in(lang, tot.won))
            .replace("{lost}", &count_in(lang, tot.lost))
            .replace("{open}", &count_in(lang, tot.open))
            .replace("{rate}", &share(lang, tot.win_rate))
    )?;
    if let Some(by) = f.by {
        let mut g = grid();
        let mut header = vec![by_name(lang, by)];
        header.extend(t.group_columns);
        g.set_header(header);
        for grp in &f.groups {
            g.add_row(vec![
                comfy_table::Cell::new(name_or_none(lang, grp.name.as_deref())),
                right(count_in(lang, grp.created)),
                right(count_in(lang, reached(grp, LeadStage::Qualified))),
                right(count_in(lang, reached(grp, LeadStage::Quote))),
                right(count_in(lang, grp.won)),
                right(count_in(lang, grp.lost)),
                right(count_in(lang, grp.open)),
                right(share(lang, grp.win_rate)),
                right(human_in(lang, grp.pipeline.value)),
                right(human_in(lang, grp.pipeline.weighted)),
                right(count_in(lang, grp.pipeline.stale)),
            ]);
        }
        writeln!(out, "\n{g}")?;
    }
    if !tot.lost_reasons.is_empty() {
        writeln!(out, "\n{}", t.lost_reasons)?;
        for r in &tot.lost_reasons {
            writeln!(
                out,
                "  {:>6}  {}",
                count_in(lang, r.leads),
                name_or_none(lang, r.reason.as_deref())
            )?;
        }
    }
    writeln!(out, "\n{}", t.win_probability[0])?;
    let mut g = grid();
    g.set_header(t.win_probability[1..].to_vec());
    for w in &f.win_probability {
        g.add_row(vec![
            comfy_table::Cell::new(stage_name(lang, w.stage)),
            right(count_in(lang, w.closed)),
            right(count_in(lang, w.won)),
            right(share(lang, w.probability)),
        ]);
    }
    writeln!(out, "{g}")?;
    let p = &tot.pipeline;
    writeln!(
        out,
        "{}",
        t.pipeline
            .replace("{as_of}", &f.as_of.to_string())
            .replace("{open}", &count_in(lang, p.open))
            .replace("{value}", &human_in(lang, p.value))
            .replace("{weighted}", &human_in(lang, p.weighted))
            .replace("{stale}", &count_in(lang, p.stale))
            .replace("{days}", &f.stale_days.to_string())
    )?;
    if !f.stale.is_empty() && limit > 0 {
        writeln!(
            out,
            "\n{}",
            t.stale.replace("{days}", &f.stale_days.to_string())
        )?;
        let mut g = grid();
        g.set_header(t.stale_columns.to_vec());
        for s in f.stale.iter().take(limit) {
            g.add_row(vec![
                comfy_table::Cell::new(s.id.as_deref().unwrap_or("-")),
                comfy_table::Cell::new(&s.customer),
                comfy_table::Cell::new(name_or_none(lang, s.owner.as_deref())),
                comfy_table::Cell::new(stage_name(lang, s.stage)),
                comfy_table::Cell::new(s.last_change.to_string()),
                right(count_in(lang, u64::try_from(s.days).unwrap_or(0))),
                right(human_in(lang, s.value)),
            ]);
        }
        writeln!(out, "{g}")?;
        if f.stale.len() > limit {
            writeln!(
                out,
                "{}",
                t.more
                    .replace("{more}", &count_in(lang, (f.stale.len() - limit) as u64))
            )?;
        }
    }
    quality_table(out, f, lang)?;
    Ok(())
}

fn quality_table(out: &mut impl Write, f: &Funnel, lang: Lang) -> anyhow::Result<()> {
    let t = &lang.texts().funnel_table;
    if f.quality.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{}", t.quality)?;
    for by in [GroupBy::Source, GroupBy::Owner] {
        let mut g = grid();
        let mut header = vec![
            by_name(lang, by).to_string(),
            t.quality_columns[0].to_string(),
        ];
        header.extend(
            Level::ALL[..5]
                .iter()
                .map(|l| lang.level(l.as_str()).to_string()),
        );
        header.extend(t.quality_columns[1..].iter().map(|s| s.to_string()));
        g.set_header(header);
        for q in f.quality.iter().filter(|q| q.by == by) {
            let mut row = vec![
                comfy_table::Cell::new(name_or_none(lang, q.name.as_deref())),
                right(count_in(lang, q.customers)),
            ];
            for level in &Level::ALL[..5] {
                let n = q
                    .levels
                    .iter()
                    .find(|(l, _)| l == level)
                    .map_or(0, |(_, n)| *n);
                row.push(right(count_in(lang, n)));
            }
            let known = q.customers.saturating_sub(q.pending);
            row.push(right(share(
                lang,
                (known > 0).then(|| q.active as f64 / known as f64),
            )));
            row.push(right(count_in(lang, q.pending)));
            row.push(right(count_in(lang, q.no_order)));
            g.add_row(row);
        }
        writeln!(out, "{g}")?;
    }
    Ok(())
}

fn rates_table(out: &mut impl Write, r: &AcquisitionRates, lang: Lang) -> anyhow::Result<()> {
    let t = &lang.texts().funnel_table;
    writeln!(
        out,
        "{}\n",
        t.no_leads
            .replace("{from}", &r.from.to_string())
            .replace("{to}", &r.to.to_string())
    )?;
    writeln!(
        out,
        "{}",
        t.suspects
            .replace("{suspects}", &count_in(lang, r.suspects))
            .replace("{prospects}", &count_in(lang, r.suspects_to_prospects))
            .replace("{customers}", &count_in(lang, r.suspects_to_customers))
            .replace("{to_prospect}", &share(lang, r.suspect_to_prospect))
            .replace("{to_customer}", &share(lang, r.suspect_to_customer))
    )?;
    writeln!(
        out,
        "{}",
        t.prospects
            .replace("{prospects}", &count_in(lang, r.prospects))
            .replace("{customers}", &count_in(lang, r.prospects_to_customers))
            .replace("{to_customer}", &share(lang, r.prospect_to_customer))
    )?;
    Ok(())
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, |v| v.to_string())
}

/// The funnel as CSV: one row per group and stage, with the group's
/// figures repeated; without leads, one row of acquisition rates.
pub(crate) fn csv(out: &mut impl Write, view: &FunnelView) -> anyhow::Result<()> {
    let Some(f) = &view.funnel else {
        let r = &view.acquisition_rates;
        return csv_table(
            out,
            [
                "from",
                "to",
                "suspects",
                "suspects_to_prospects",
                "suspects_to_customers",
                "prospects",
                "prospects_to_customers",
                "suspect_to_prospect",
                "suspect_to_customer",
                "prospect_to_customer",
            ],
            [[
                r.from.to_string(),
                r.to.to_string(),
                r.suspects.to_string(),
                r.suspects_to_prospects.to_string(),
                r.suspects_to_customers.to_string(),
                r.prospects.to_string(),
                r.prospects_to_customers.to_string(),
                opt(r.suspect_to_prospect),
                opt(r.suspect_to_customer),
                opt(r.prospect_to_customer),
            ]],
        );
    };
    let by = f.by.map_or("", GroupBy::as_str);
    let rows = std::iter::once(("total", &f.total))
        .chain(f.groups.iter().map(|g| (by, g)))
        .flat_map(|(by, g)| {
            g.stages.iter().map(move |s| {
                [
                    by.to_string(),
                    g.name.clone().unwrap_or_default(),
                    s.stage.to_string(),
                    s.reached.to_string(),
                    opt(s.conversion),
                    opt(s.median_days),
                    s.timed.to_string(),
                    g.created.to_string(),
                    g.won.to_string(),
                    g.lost.to_string(),
                    g.open.to_string(),
                    opt(g.win_rate),
                    g.pipeline.open.to_string(),
                    g.pipeline.value.to_string(),
                    g.pipeline.weighted.to_string(),
                    g.pipeline.stale.to_string(),
                ]
            })
        });
    csv_table(
        out,
        [
            "by",
            "group",
            "stage",
            "reached",
            "conversion",
            "median_days",
            "timed",
            "created",
            "won",
            "lost",
            "open",
            "win_rate",
            "pipeline_open",
            "pipeline_value",
            "pipeline_weighted",
            "stale",
        ],
        rows,
    )
}
