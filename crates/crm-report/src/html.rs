//! The report as one self-contained HTML page: inline CSS and SVG, no
//! network, readable without JavaScript (a few lines of script only make
//! the tables sortable).

use std::fmt::Write;

use crm_core::{Decimal, Money};
use crm_pyramid::Level;

use crate::charts;
use crate::lang::{Lang, fill};
use crate::report::{Availability, Report, STATES, Section};

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    crm_chart::escape(s)
}

const CSS: &str = r#"
:root{--ink:#1a1a1a;--muted:#5a5a5a;--line:#e3e3e3;--bg:#f4f5f7;--card:#fff;--accent:#0072B2;--up:#009E73;--down:#D55E00}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header.top{background:#0b3954;color:#fff;padding:28px 32px 22px}
header.top h1{margin:0 0 4px;font-size:28px;font-weight:650;letter-spacing:-.01em}
header.top p{margin:2px 0;color:#d6e4ee}
main{max-width:1180px;margin:0 auto;padding:20px 24px 40px}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:14px;margin:4px 0 20px}
.kpi{background:var(--card);border-radius:10px;padding:14px 16px;border-left:5px solid var(--accent);box-shadow:0 1px 2px rgba(0,0,0,.06)}
.kpi .label{color:var(--muted);font-size:13px}
.kpi .value{font-size:26px;font-weight:650;margin-top:2px}
.kpi .delta{font-size:13px;color:var(--muted)}
.kpi .delta.up{color:#00734f}.kpi .delta.down{color:#a84400}
nav.toc{background:var(--card);border-radius:10px;padding:10px 16px;margin-bottom:20px;box-shadow:0 1px 2px rgba(0,0,0,.06)}
nav.toc strong{margin-right:8px}
nav.toc a{display:inline-block;margin:2px 10px 2px 0;color:var(--accent);text-decoration:none;font-size:14px}
nav.toc a.missing{color:var(--muted)}
section.card{background:var(--card);border-radius:10px;padding:18px 22px;margin:0 0 18px;box-shadow:0 1px 2px rgba(0,0,0,.06);break-inside:avoid}
section.card h2{margin:0 0 4px;font-size:20px}
p.reading{margin:0 0 12px;font-size:16px;color:#333}
figure{margin:0;overflow-x:auto}
figure svg{max-width:100%;height:auto;display:block}
figure .chart-title{display:none}
.pair{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:12px}
details{margin-top:10px}
summary{cursor:pointer;color:var(--accent);font-size:14px}
table{border-collapse:collapse;margin-top:8px;font-size:14px;min-width:50%}
th,td{padding:5px 10px;border-bottom:1px solid var(--line);text-align:left;white-space:nowrap}
th{background:#f0f2f5;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th{cursor:pointer}
tbody tr:nth-child(even){background:#fafbfc}
section.missing{background:transparent;box-shadow:none;border:1px dashed #c5c8cc;padding:12px 18px}
section.missing h2{font-size:16px;color:var(--muted)}
section.missing p{margin:2px 0;color:var(--muted);font-size:14px}
p.note{margin:8px 0 0;color:var(--muted);font-size:14px}
footer{color:var(--muted);font-size:13px;text-align:center;padding:8px 24px 28px}
@media print{body{background:#fff}header.top{background:#fff;color:#000;border-bottom:2px solid #000}header.top p{color:#333}section.card,.kpi,nav.toc{box-shadow:none;border:1px solid #ccc}details{display:none}}
"#;

/// Sorts a table by the clicked column: numbers by their `data-v`, text
/// by its content. The page reads the same without it.
const SCRIPT: &str = r#"
document.querySelectorAll("table.sortable").forEach(function(t){
  t.querySelectorAll("th").forEach(function(th,i){
    th.addEventListener("click",function(){
      var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows),asc=th.getAttribute("data-asc")!=="1";
      rows.sort(function(x,y){
        var a=x.cells[i],c=y.cells[i],va=a.getAttribute("data-v"),vc=c.getAttribute("data-v");
        var r=(va!==null&&vc!==null)?(parseFloat(va)-parseFloat(vc)):a.textContent.localeCompare(c.textContent);
        return asc?r:-r;
      });
      rows.forEach(function(r){b.appendChild(r);});
      th.setAttribute("data-asc",asc?"1":"0");
    });
  });
});
"#;

struct Table {
    head: Vec<(String, bool)>,
    rows: Vec<Vec<(String, Option<String>)>>,
}

impl Table {
    fn new(head: &[(&str, bool)]) -> Table {
        Table {
            head: head.iter().map(|(h, n)| ((*h).to_string(), *n)).collect(),
            rows: Vec::new(),
        }
    }

    fn render(&self, out: &mut String, sortable: bool) {
        let class = if sortable { r#" class="sortable""# } else { "" };
        let _ = write!(out, "<table{class}><thead><tr>");
        for (h, n) in &self.head {
            let c = if *n { r#" class="n""# } else { "" };
            let _ = write!(out, r#"<th scope="col"{c}>{}</th>"#, esc(h));
        }
        out.push_str("</tr></thead><tbody>\n");
        for row in &self.rows {
            out.push_str("<tr>");
            for (k, (text, v)) in row.iter().enumerate() {
                let numeric = self.head.get(k).is_some_and(|h| h.1);
                let c = if numeric { r#" class="n""# } else { "" };
                let v = v
                    .as_ref()
                    .map(|v| format!(r#" data-v="{}""#, esc(v)))
                    .unwrap_or_default();
                let _ = write!(out, "<td{c}{v}>{}</td>", esc(text));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody></table>\n");
    }
}

fn num(text: String, v: impl ToString) -> (String, Option<String>) {
    (text, Some(v.to_string()))
}

fn txt(text: &str) -> (String, Option<String>) {
    (text.to_string(), None)
}

fn f64_of(m: Money) -> f64 {
    m.as_decimal().to_string().parse().unwrap_or(0.0)
}

impl Report {
    /// The report as one self-contained HTML page in `lang`.
    ///
    /// Every section is there: with its chart, its one-line reading and
    /// its figures when its data is, or with a note saying which input
    /// would add it. The page needs no network, no fonts and no
    /// JavaScript; the same report gives the same bytes.
    pub fn to_html(&self, lang: Lang) -> String {
        let t = lang.texts();
        let mut out = String::with_capacity(256 * 1024);
        let period = crate::lang::period_label(&self.period);
        let basis = t.bases[self.basis.index().min(1)];
        let title = fill(t.title, &[("period", period.clone())]);
        let _ = write!(
            out,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"crm report\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
            lang.code(),
            esc(&title),
            CSS
        );
        let subtitle = match self.previous {
            Some(p) => fill(
                t.subtitle,
                &[
                    ("period", period.clone()),
                    ("previous", crate::lang::period_label(&p)),
                    ("basis", basis.into()),
                ],
            ),
            None => fill(
                t.subtitle_alone,
                &[("period", period.clone()), ("basis", basis.into())],
            ),
        };
        let input = fill(
            t.input_line,
            &[
                ("customers", lang.count(self.customers)),
                ("transactions", lang.count(self.transactions)),
            ],
        );
        let _ = write!(
            out,
            "<header class=\"top\">\n<h1>{}</h1>\n<p>{}</p>\n<p>{}</p>\n</header>\n<main>\n",
            esc(&title),
            esc(&subtitle),
            esc(&input)
        );
        self.kpis(&mut out, lang);
        // Contents: present sections first, the rest marked.
        let _ = write!(
            out,
            "<nav class=\"toc\" aria-label=\"{0}\"><strong>{0}</strong>",
            esc(t.contents)
        );
        for s in Section::ALL {
            let class = if self.availability(s) == Availability::Present {
                ""
            } else {
                r#" class="missing""#
            };
            let _ = write!(
                out,
                "<a href=\"#{}\"{class}>{}</a>",
                s.id(),
                esc(t.sections[s.index()].title)
            );
        }
        out.push_str("</nav>\n");
        let mut missing = Vec::new();
        for s in Section::ALL {
            match self.availability(s) {
                Availability::Present => self.section(&mut out, s, lang),
                other => missing.push((s, other)),
            }
        }
        if !missing.is_empty() {
            let _ = writeln!(out, "<h2 class=\"later\">{}</h2>", esc(t.not_included));
        }
        for (s, why) in missing {
            let st = &t.sections[s.index()];
            let note = match why {
                Availability::Failed(e) => fill(t.fit_failed, &[("error", e)]),
                _ => st.missing.to_string(),
            };
            let _ = write!(
                out,
                "<section class=\"missing\" id=\"{}\" data-section=\"{}\" data-present=\"no\">\n<h2>{}</h2>\n<p><strong>{}</strong> {}</p>\n</section>\n",
                s.id(),
                s.id(),
                esc(st.title),
                esc(t.add),
                esc(&note)
            );
        }
        let _ = write!(
            out,
            "</main>\n<footer>{}</footer>\n<script>{}</script>\n</body>\n</html>\n",
            esc(t.footer),
            SCRIPT
        );
        out
    }

    fn kpis(&self, out: &mut String, lang: Lang) {
        let t = lang.texts();
        let p = &self.pyramid;
        let versus = self
            .previous
            .map(|x| fill(t.versus, &[("previous", crate::lang::period_label(&x))]));
        out.push_str("<div class=\"kpis\">\n");
        let prev_active: Option<u64> = self.previous.map(|_| {
            p.levels
                .iter()
                .filter(|l| l.level.is_active())
                .filter_map(|l| l.previous.map(|f| f.customers))
                .sum()
        });
        // No change is shown when the previous total is beyond `Decimal`'s
        // range.
        let prev_value: Option<Decimal> = self.previous.and_then(|_| {
            p.levels
                .iter()
                .filter(|l| l.level.is_active())
                .filter_map(|l| l.previous.map(|f| f.value.as_decimal()))
                .try_fold(Decimal::ZERO, |a, b| a.checked_add(b))
        });
        let delta = |d: Option<(String, bool)>| match (d, &versus) {
            (Some((s, up)), Some(v)) => Some((format!("{s} {v}"), up)),
            _ => None,
        };
        kpi(
            out,
            t.kpi[0],
            &lang.count(p.active),
            delta(prev_active.map(|a| {
                let d = i64::try_from(p.active).unwrap_or(i64::MAX)
                    - i64::try_from(a).unwrap_or(i64::MAX);
                (lang.signed_count(d), d >= 0)
            })),
        );
        kpi(
            out,
            t.kpi[1],
            &lang.money_short(p.active_value),
            // A change beyond `Decimal`'s range (a tiny value before, a
            // large one now) shows no change rather than overflowing.
            delta(prev_value.filter(|v| !v.is_zero()).and_then(|v| {
                let change = p
                    .active_value
                    .as_decimal()
                    .checked_sub(v)
                    .and_then(|c| c.checked_div(v))?;
                let share = f64_of(Money::new(change));
                let s = lang.percent(share);
                Some((if share > 0.0 { format!("+{s}") } else { s }, share >= 0.0))
            })),
        );
        if let Some(share) = p.pareto {
            kpi(out, t.kpi[2], &lang.percent(share), None);
        }
        if let Some(m) = &self.migration {
            let (up, down) = up_down(m);
            let net = i64::try_from(up).unwrap_or(i64::MAX) - i64::try_from(down).unwrap_or(0);
            kpi(out, t.kpi[3], &lang.signed_count(net), None);
        }
        if let Some(w) = self.profit.as_ref().and_then(|p| p.whale.as_ref()) {
            kpi(out, t.kpi[4], &lang.percent(w.peak), None);
        }
        out.push_str("</div>\n");
    }

    fn section(&self, out: &mut String, s: Section, lang: Lang) {
        let t = lang.texts();
        let st = &t.sections[s.index()];
        let mut body = String::new();
        let reading = match s {
            Section::Pyramid => self.pyramid_section(&mut body, lang),
            Section::Migration => self.migration_section(&mut body, lang),
            Section::Bridge => self.bridge_section(&mut body, lang),
            Section::Projection => self.projection_section(&mut body, lang),
            Section::Whale => self.whale_section(&mut body, lang),
            Section::ProfitPyramid => self.profit_pyramid_section(&mut body, lang),
            Section::Rfm => self.rfm_section(&mut body, lang),
            Section::Wallet => self.wallet_section(&mut body, lang),
            Section::Lifetime => self.lifetime_section(&mut body, lang),
            Section::Holdout => self.holdout_section(&mut body, lang),
            Section::Actions => self.actions_section(&mut body, lang),
            Section::Funnel => self.funnel_section(&mut body, lang),
            Section::Complaints => self.complaints_section(&mut body, lang),
            Section::Campaign => self.campaign_section(&mut body, lang),
            Section::Scorecard => self.scorecard_section(&mut body, lang),
        };
        let _ = write!(
            out,
            "<section class=\"card\" id=\"{}\" data-section=\"{}\" data-present=\"yes\">\n<h2>{}</h2>\n<p class=\"reading\">{}</p>\n{}</section>\n",
            s.id(),
            s.id(),
            esc(st.title),
            esc(&reading),
            body
        );
    }

    fn pyramid_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let p = &self.pyramid;
        figure(out, &charts::pyramid(self, lang).to_svg());
        let mut head = vec![
            (t.columns[0], false),
            (t.columns[1], true),
            (t.columns[2], true),
            (t.columns[3], true),
            (t.columns[4], true),
            (t.columns[5], true),
        ];
        if self.previous.is_some() {
            head.extend([
                (t.columns[6], true),
                (t.columns[7], true),
                (t.columns[8], true),
            ]);
        }
        let mut table = Table::new(&head);
        for l in &p.levels {
            let mut row = vec![
                txt(t.levels[l.level.index()]),
                num(lang.count(l.customers), l.customers),
                share_cell(lang, l.share_of_customers),
                num(lang.money(l.value), l.value),
                share_cell(lang, l.share_of_value),
                l.average_value
                    .map_or_else(|| txt(""), |a| num(lang.money(a), a)),
            ];
            if let (Some(f), Some(c)) = (l.previous, l.change) {
                row.push(num(lang.count(f.customers), f.customers));
                row.push(num(lang.money(f.value), f.value));
                row.push(num(lang.signed_money(c.value), c.value));
            }
            table.rows.push(row);
        }
        details(out, t.show_figures, &table);
        let topbig = p.level(Level::Top).customers + p.level(Level::Big).customers;
        let share = p.level(Level::Top).share_of_value.unwrap_or(0.0)
            + p.level(Level::Big).share_of_value.unwrap_or(0.0);
        fill(
            t.sections[0].reading,
            &[
                ("active", lang.count(p.active)),
                ("topbig", lang.count(topbig)),
                ("share", lang.percent(share)),
            ],
        )
    }

    fn migration_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(m) = &self.migration else {
            return String::new();
        };
        figure(out, &charts::heatmap(m, lang).to_svg());
        let mut up = 0;
        let (mut new, mut reactivated, mut down, mut lost) = (0, 0, 0, 0);
        for c in m.cells() {
            match charts::tone(c.from, c.to) {
                crm_chart::Tone::Up => {
                    up += c.customers;
                    match c.from {
                        crm_migration::Source::Level(Level::Inactive) => {
                            reactivated += c.customers;
                        }
                        crm_migration::Source::Level(l) if l.is_active() => {}
                        _ => new += c.customers,
                    }
                }
                crm_chart::Tone::Down if c.to == Level::Inactive => lost += c.customers,
                crm_chart::Tone::Down => down += c.customers,
                crm_chart::Tone::Neutral => {}
            }
        }
        fill(
            t.sections[1].reading,
            &[
                ("from", crate::lang::period_label(&m.from)),
                ("to", crate::lang::period_label(&m.to)),
                ("up", lang.count(up)),
                ("new", lang.count(new)),
                ("reactivated", lang.count(reactivated)),
                ("down", lang.count(down)),
                ("lost", lang.count(lost)),
            ],
        )
    }

    fn bridge_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(m) = &self.migration else {
            return String::new();
        };
        figure(out, &charts::waterfall(m, lang).to_svg());
        let b = &m.bridge;
        let mut table = Table::new(&[("", false), (t.columns[3], true)]);
        table.rows.push(vec![
            txt(&fill(
                t.value_in,
                &[("period", crate::lang::period_label(&m.from))],
            )),
            num(lang.money(b.from_total), b.from_total),
        ]);
        for (mv, v) in &b.steps {
            table.rows.push(vec![
                txt(lang.movement(mv.as_str())),
                num(lang.signed_money(*v), v),
            ]);
        }
        if !b.lost.is_zero() {
            table
                .rows
                .push(vec![txt(t.left), num(lang.signed_money(b.lost), b.lost)]);
        }
        table.rows.push(vec![
            txt(&fill(
                t.value_in,
                &[("period", crate::lang::period_label(&m.to))],
            )),
            num(lang.money(b.to_total), b.to_total),
        ]);
        details(out, t.show_figures, &table);
        let mut steps: Vec<(String, Money)> = b
            .steps
            .iter()
            .map(|(mv, v)| (lang.movement(mv.as_str()).to_string(), *v))
            .collect();
        steps.push((t.left.to_string(), b.lost));
        let gain = steps
            .iter()
            .filter(|s| s.1.is_positive())
            .max_by(|a, b| a.1.cmp(&b.1))
            .map_or_else(
                || "–".to_string(),
                |s| format!("{} ({})", s.0, lang.signed_money(s.1)),
            );
        let loss = steps
            .iter()
            .filter(|s| !s.1.is_positive() && !s.1.is_zero())
            .min_by(|a, b| a.1.cmp(&b.1))
            .map_or_else(
                || "–".to_string(),
                |s| format!("{} ({})", s.0, lang.signed_money(s.1)),
            );
        let change = b.to_total.checked_sub(b.from_total).unwrap_or(Money::ZERO);
        fill(
            t.sections[2].reading,
            &[
                ("from_total", lang.money(b.from_total)),
                ("to_total", lang.money(b.to_total)),
                ("change", lang.signed_money(change)),
                ("gain", gain),
                ("loss", loss),
            ],
        )
    }

    fn projection_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(p) = &self.projection else {
            return String::new();
        };
        figure(out, &charts::projection(p, lang).to_svg());
        let mut table = Table::new(&[
            (t.markov_columns[0], false),
            (t.markov_columns[1], true),
            (t.markov_columns[2], true),
        ]);
        for (i, level) in STATES.iter().enumerate() {
            let ltv = p.lifetime_values.map(|v| v[i]);
            let until = p.periods_until_inactive.and_then(|v| v.get(i).copied());
            let f = lang.numbers();
            table.rows.push(vec![
                txt(t.levels[level.index()]),
                ltv.map_or_else(|| txt("–"), |v| num(lang.short(v), v)),
                until.map_or_else(|| txt("–"), |v| num(f.format(v, 1), v)),
            ]);
        }
        details(out, t.show_figures, &table);
        let active = p
            .projected
            .last()
            .map_or(0.0, |c| c[..4].iter().sum::<f64>());
        fill(
            t.sections[3].reading,
            &[
                (
                    "first",
                    p.periods
                        .first()
                        .map(crate::lang::period_label)
                        .unwrap_or_default(),
                ),
                (
                    "last",
                    p.periods
                        .last()
                        .map(crate::lang::period_label)
                        .unwrap_or_default(),
                ),
                ("active", lang.numbers().format(active, 0)),
                ("k", p.projected.len().to_string()),
            ],
        )
    }

    fn whale_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(w) = self.profit.as_ref().and_then(|p| p.whale.as_ref()) else {
            return String::new();
        };
        figure(out, &charts::whale(w, lang).to_svg());
        fill(
            t.sections[4].reading,
            &[
                ("peak_customers", lang.count(w.peak_customers)),
                ("peak", lang.percent(w.peak)),
                ("unprofitable", lang.count(w.unprofitable)),
                ("destroyed", lang.money(-w.destroyed)),
            ],
        )
    }

    fn profit_pyramid_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(p) = &self.profit else {
            return String::new();
        };
        figure(out, &charts::profit_pyramid(p, lang).to_svg());
        let top = p.pyramid.iter().find(|x| x.0 == Level::Top);
        let rest = p.pyramid.iter().find(|x| !x.0.is_active());
        fill(
            t.sections[5].reading,
            &[
                ("top", lang.count(top.map_or(0, |x| x.1))),
                ("top_profit", lang.money(top.map_or(Money::ZERO, |x| x.2))),
                ("unprofitable", lang.count(rest.map_or(0, |x| x.1))),
            ],
        )
    }

    fn rfm_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(r) = &self.rfm else {
            return String::new();
        };
        figure(out, &charts::rfm_grid(r, lang).to_svg());
        let total = r.customers.max(1) as f64;
        let mut table = Table::new(&[
            (t.columns[0], false),
            (t.columns[1], true),
            (t.columns[2], true),
        ]);
        for (name, n) in &r.segments {
            table.rows.push(vec![
                txt(lang.segment(name)),
                num(lang.count(*n), n),
                num(lang.percent(*n as f64 / total), *n as f64 / total),
            ]);
        }
        details(out, t.show_figures, &table);
        let largest = r
            .segments
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)));
        let risk: u64 = r
            .segments
            .iter()
            .filter(|s| s.0 == "at risk" || s.0 == "can't lose them")
            .map(|s| s.1)
            .sum();
        fill(
            t.sections[6].reading,
            &[
                ("as_of", r.as_of.to_string()),
                (
                    "segment",
                    largest.map_or("–", |s| lang.segment(&s.0)).to_string(),
                ),
                ("count", lang.count(largest.map_or(0, |s| s.1))),
                ("risk", lang.count(risk)),
            ],
        )
    }

    fn wallet_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(w) = &self.wallet else {
            return String::new();
        };
        figure(out, &charts::wallet_bars(w, lang).to_svg());
        let c = &t.wallet_columns;
        let mut table = Table::new(&[
            (c[0], false),
            (c[1], false),
            (c[2], true),
            (c[3], true),
            (c[4], true),
            (c[5], true),
        ]);
        for s in w.develop.iter().take(15) {
            let share = f64_of(Money::new(s.share));
            table.rows.push(vec![
                txt(&s.customer),
                txt(t.levels[s.level.index()]),
                num(lang.money(s.value), s.value),
                num(lang.money(s.potential), s.potential),
                num(lang.percent(share), share),
                num(lang.money(s.room), s.room),
            ]);
        }
        details(out, t.show_figures, &table);
        let rooms = w.develop.iter().map(|s| s.room.as_decimal());
        let (_, room) = crate::charts::total_label(rooms, |m| lang.money(m));
        fill(t.sections[7].reading, &[("room", room)])
    }

    fn lifetime_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Ok(l) = &self.lifetime else {
            return String::new();
        };
        out.push_str("<div class=\"pair\">\n");
        figure(out, &charts::p_alive(l, lang).to_svg());
        figure(out, &charts::value_histogram(l, lang).to_svg());
        out.push_str("</div>\n");
        let alive = l.p_alive.iter().filter(|p| **p >= 0.5).count();
        let value: f64 = l
            .p_alive
            .iter()
            .zip(&l.value)
            .filter(|(p, _)| **p >= 0.5)
            .map(|(_, v)| *v)
            .sum();
        fill(
            t.sections[8].reading,
            &[
                ("alive", lang.count(alive as u64)),
                ("customers", lang.count(l.p_alive.len() as u64)),
                ("value", lang.short(value)),
                (
                    "model",
                    if l.penalizer > 0.0 {
                        format!("{}, L2 {}", l.model, lang.numbers().format(l.penalizer, 2))
                    } else {
                        l.model.to_string()
                    },
                ),
            ],
        )
    }

    fn actions_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(a) = &self.actions else {
            return String::new();
        };
        out.push_str("<div class=\"pair\">\n");
        figure(out, &charts::actions_by_strategy(a, lang).to_svg());
        figure(out, &charts::actions_by_owner(a, lang).to_svg());
        out.push_str("</div>\n");
        let c = &t.actions.columns;
        let share = |n: u64| {
            if a.actions == 0 {
                txt("–")
            } else {
                let v = n as f64 / a.actions as f64;
                num(lang.percent(v), v)
            }
        };
        let strategies = charts::strategy_counts(a);
        let owners = charts::owner_counts(a);
        let mut table = Table::new(&[(c[0], false), (c[2], true), (c[3], true)]);
        for (name, n) in &strategies {
            table.rows.push(vec![
                txt(&charts::capital(lang.strategy(name))),
                num(lang.count(*n), n),
                share(*n),
            ]);
        }
        details(out, t.show_figures, &table);
        let mut table = Table::new(&[(c[1], false), (c[2], true), (c[3], true)]);
        for (name, n) in &owners {
            table.rows.push(vec![
                txt(&charts::capital(lang.owner(name))),
                num(lang.count(*n), n),
                share(*n),
            ]);
        }
        details(out, t.show_figures, &table);
        // The largest strategy and owner; the earlier in their order on a
        // tie.
        fn most<'a>(list: &[(&'a str, u64)]) -> (&'a str, u64) {
            list.iter()
                .fold(None::<(&str, u64)>, |best, x| match best {
                    Some(b) if b.1 >= x.1 => Some(b),
                    _ => Some(*x),
                })
                .unwrap_or(("–", 0))
        }
        let (strategy, strategy_count) = most(&strategies);
        let (owner, owner_count) = most(&owners);
        fill(
            t.sections[Section::Actions.index()].reading,
            &[
                ("rulebook", a.rulebook.clone()),
                ("actions", lang.count(a.actions)),
                ("customers", lang.count(a.summary.customers)),
                ("strategy", lang.strategy(strategy).to_string()),
                ("strategy_count", lang.count(strategy_count)),
                ("owner", lang.owner(owner).to_string()),
                ("owner_count", lang.count(owner_count)),
                ("no_channel", lang.count(a.summary.no_channel)),
            ],
        )
    }

    fn funnel_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(f) = &self.funnel else {
            return String::new();
        };
        figure(out, &charts::funnel(f, lang).to_svg());
        let c = &t.funnel_table.stage_columns;
        let mut table = Table::new(&[(c[0], false), (c[1], true), (c[2], true), (c[3], true)]);
        let nf = lang.numbers();
        for s in &f.total.stages {
            table.rows.push(vec![
                txt(&charts::capital(lang.lead_stage(s.stage.as_str()))),
                num(lang.count(s.reached), s.reached),
                s.conversion
                    .map_or_else(|| txt("–"), |v| num(lang.percent(v), v)),
                s.median_days
                    .map_or_else(|| txt("–"), |v| num(nf.format(v, 1), v)),
            ]);
        }
        details(out, t.show_figures, &table);
        let g = &f.total;
        fill(
            t.sections[Section::Funnel.index()].reading,
            &[
                ("created", lang.count(g.created)),
                ("period", crate::lang::period_label(&f.period)),
                ("won", lang.count(g.won)),
                ("lost", lang.count(g.lost)),
                ("open", lang.count(g.open)),
                (
                    "rate",
                    g.win_rate.map_or_else(|| "–".into(), |r| lang.percent(r)),
                ),
                ("weighted", lang.money(g.pipeline.weighted)),
            ],
        )
    }

    fn complaints_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(r) = &self.complaints else {
            return String::new();
        };
        let retention = self
            .complaint_retention
            .as_ref()
            .filter(|p| !p.retention.is_empty());
        if let Some(p) = retention {
            out.push_str("<div class=\"pair\">\n");
            figure(out, &charts::complaint_handling(r, lang).to_svg());
            figure(
                out,
                &charts::complaint_retention(p, &self.period, lang).to_svg(),
            );
            out.push_str("</div>\n");
        } else {
            figure(out, &charts::complaint_handling(r, lang).to_svg());
        }
        let ct = &t.complaints_table;
        let mut table = Table::new(&[("", false), (t.columns[1], true)]);
        let days = r.days_to_resolve.as_ref().map_or_else(
            || "–".to_string(),
            |d| {
                let nf = lang.numbers();
                format!(
                    "{} / {} / {}",
                    nf.format(charts::share_f64(d.mean), 1),
                    nf.format(charts::share_f64(d.median), 1),
                    lang.count(u64::from(d.p90))
                )
            },
        );
        for (k, v) in [
            (0, Some(r.received)),
            (1, Some(r.complainers)),
            (2, Some(r.resolved)),
            (4, Some(r.open_at_start)),
            (5, Some(r.open_at_end)),
            (6, Some(r.received_resolved)),
            (7, None),
            (8, Some(r.within_sla)),
        ] {
            let label = charts::capital(ct.figures[k]);
            table.rows.push(vec![
                txt(&label),
                match v {
                    Some(n) => num(lang.count(n), n),
                    None => txt(&days),
                },
            ]);
        }
        details(out, t.show_figures, &table);
        let rate = |g| {
            retention
                .and_then(|p| p.group(g))
                .and_then(|g| g.rate)
                .map(|r| lang.percent(charts::share_f64(r)))
        };
        let mut reading = fill(
            t.sections[Section::Complaints.index()].reading,
            &[
                ("received", lang.count(r.received)),
                ("period", crate::lang::period_label(&r.period)),
                ("within", lang.count(r.within_sla)),
                ("sla", lang.count(u64::from(r.sla_days))),
                ("open", lang.count(r.open_at_end)),
            ],
        );
        use crm_ops::ComplaintGroup;
        if let (Some(p), Some(heard), Some(unheard)) = (
            retention,
            rate(ComplaintGroup::Resolved),
            rate(ComplaintGroup::Unresolved),
        ) {
            reading.push_str(&fill(
                t.ops.retention_line,
                &[
                    ("previous", crate::lang::period_label(&p.period)),
                    ("heard", heard),
                    ("unheard", unheard),
                ],
            ));
        }
        reading
    }

    fn campaign_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(c) = &self.campaign else {
            return String::new();
        };
        figure(out, &charts::campaign(c, lang).to_svg());
        let ct = &t.campaign_table;
        let mut table = Table::new(&[
            (ct.columns[0], false),
            (ct.columns[1], true),
            (ct.columns[2], true),
        ]);
        let share = |d: Option<Decimal>| {
            d.map_or_else(
                || txt("–"),
                |d| {
                    let v = charts::share_f64(d);
                    num(lang.percent(v), v)
                },
            )
        };
        let money = |m: Option<Money>| m.map_or_else(|| txt("–"), |m| num(lang.money(m), m));
        let (a, b) = (&c.treated, &c.control);
        let rows = [
            (
                num(lang.count(a.customers), a.customers),
                num(lang.count(b.customers), b.customers),
            ),
            (
                num(lang.count(a.responders), a.responders),
                num(lang.count(b.responders), b.responders),
            ),
            (share(a.response_rate), share(b.response_rate)),
            (
                num(lang.count(a.buyers), a.buyers),
                num(lang.count(b.buyers), b.buyers),
            ),
            (money(Some(a.revenue)), money(Some(b.revenue))),
            (money(a.revenue_per_customer), money(b.revenue_per_customer)),
        ];
        for (k, (x, y)) in rows.into_iter().enumerate() {
            table
                .rows
                .push(vec![txt(&charts::capital(ct.rows[k])), x, y]);
        }
        details(out, t.show_figures, &table);
        if c.control_with_send > 0 {
            let line = ct
                .control_with_send
                .replace("{customers}", &lang.count(c.control_with_send));
            let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(&line));
        }
        if !c.control_matches_campaign {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(ct.control_mismatch));
        }
        let pct = |d: Option<Decimal>| {
            d.map_or_else(|| "–".to_string(), |d| lang.percent(charts::share_f64(d)))
        };
        if b.customers == 0 {
            return fill(
                ct.no_control,
                &[
                    ("campaign", c.campaign.clone()),
                    ("treated", pct(a.response_rate)),
                ],
            );
        }
        let points = |v: f64| {
            let s = lang.percent(v);
            if v > 0.0 { format!("+{s}") } else { s }
        };
        let u = c.response_uplift;
        fill(
            t.sections[Section::Campaign.index()].reading,
            &[
                ("campaign", c.campaign.clone()),
                ("treated", pct(a.response_rate)),
                ("control", pct(b.response_rate)),
                (
                    "uplift",
                    u.map_or_else(|| "–".into(), |u| points(u.estimate)),
                ),
                ("low", u.map_or_else(|| "–".into(), |u| points(u.low))),
                ("high", u.map_or_else(|| "–".into(), |u| points(u.high))),
            ],
        )
    }

    fn scorecard_section(&self, out: &mut String, lang: Lang) -> String {
        use crm_ops::Unit;
        let t = lang.texts();
        let s = &self.scorecard;
        figure(out, &charts::scorecard(s, lang).to_svg());
        if !self.with_plan {
            let _ = writeln!(out, "<p class=\"note\">{}</p>", esc(t.ops.plan_missing));
        }
        let st = &t.scorecard_table;
        let c = &st.columns;
        let mut table = Table::new(&[
            (c[0], false),
            (c[1], true),
            (c[3], true),
            (c[4], true),
            (c[5], true),
        ]);
        let show = |unit: Unit, d: Decimal| {
            let v = charts::share_f64(d);
            match unit {
                Unit::Share => num(lang.percent(v), v),
                Unit::Money => num(lang.money(Money::new(d)), d),
                _ => num(lang.numbers().format(v, 0), v),
            }
        };
        for (k, f) in s.figures.iter().enumerate() {
            let name = charts::capital(st.figures.get(k).copied().unwrap_or(""));
            let value = match (f.value, &f.missing) {
                (Some(v), _) => show(f.unit, v),
                (None, Some(why)) => txt(&format!("{} {why}", st.needs)),
                (None, None) => txt("–"),
            };
            let benchmark = f.benchmark.map_or_else(
                || txt(""),
                |b| {
                    let dir = match b.direction {
                        crm_ops::Direction::Above => st.directions[1],
                        _ => st.directions[0],
                    };
                    let v = charts::share_f64(b.value);
                    num(format!("{dir}{}", lang.percent(v)), v)
                },
            );
            let target = f.target.map_or_else(|| txt(""), |d| show(f.unit, d));
            let gap = f.gap.map_or_else(|| txt(""), |d| show(f.unit, d));
            table
                .rows
                .push(vec![txt(&name), value, benchmark, target, gap]);
        }
        table.render(out, false);
        let measured = s.figures.iter().filter(|f| f.value.is_some()).count() as u64;
        let all = s.figures.len() as u64;
        if self.with_plan {
            let targets = s.figures.iter().filter(|f| f.target.is_some()).count() as u64;
            let met = s
                .figures
                .iter()
                .filter(|f| {
                    f.gap.is_some_and(|g| {
                        if f.name.higher_is_better() {
                            !g.is_sign_negative() || g.is_zero()
                        } else {
                            g.is_sign_negative() || g.is_zero()
                        }
                    })
                })
                .count() as u64;
            fill(
                t.sections[Section::Scorecard.index()].reading,
                &[
                    ("measured", lang.count(measured)),
                    ("all", lang.count(all)),
                    ("met", lang.count(met)),
                    ("targets", lang.count(targets)),
                ],
            )
        } else {
            fill(
                t.ops.scorecard_alone,
                &[("measured", lang.count(measured)), ("all", lang.count(all))],
            )
        }
    }

    fn holdout_section(&self, out: &mut String, lang: Lang) -> String {
        let t = lang.texts();
        let Some(Ok(h)) = &self.holdout else {
            return String::new();
        };
        let model = self.lifetime.as_ref().map_or("bg-nbd", |l| l.model);
        out.push_str("<div class=\"pair\">\n");
        figure(out, &charts::holdout(h, model, lang).to_svg());
        figure(out, &charts::tracking(h, model, lang).to_svg());
        out.push_str("</div>\n");
        let f = lang.numbers();
        let mut table = Table::new(&[
            ("x", true),
            (t.columns[1], true),
            (t.clv_axes[3], true),
            (t.clv_axes[2], true),
        ]);
        for r in &h.rows {
            let label = if r.open {
                format!("{}+", r.frequency)
            } else {
                r.frequency.to_string()
            };
            table.rows.push(vec![
                num(label, r.frequency),
                num(f.format(r.customers, 0), r.customers),
                num(f.format(r.actual, 3), r.actual),
                num(f.format(r.predicted, 3), r.predicted),
            ]);
        }
        details(out, t.show_figures, &table);
        let actual: f64 = h.rows.iter().map(|r| r.actual * r.customers).sum();
        let predicted: f64 = h.rows.iter().map(|r| r.predicted * r.customers).sum();
        fill(
            t.sections[9].reading,
            &[
                ("calibration_end", h.calibration_end.to_string()),
                ("predicted", f.format(predicted, 0)),
                ("actual", f.format(actual, 0)),
            ],
        )
    }
}

/// Customers moving up and down (inactive included) in a matrix.
fn up_down(m: &crm_migration::Migration) -> (u64, u64) {
    let (mut up, mut down) = (0, 0);
    for c in m.cells() {
        match charts::tone(c.from, c.to) {
            crm_chart::Tone::Up => up += c.customers,
            crm_chart::Tone::Down => down += c.customers,
            crm_chart::Tone::Neutral => {}
        }
    }
    (up, down)
}

fn share_cell(lang: Lang, s: Option<f64>) -> (String, Option<String>) {
    s.map_or_else(|| txt(""), |s| num(lang.percent(s), s))
}

fn kpi(out: &mut String, label: &str, value: &str, delta: Option<(String, bool)>) {
    let _ = write!(
        out,
        "<div class=\"kpi\"><div class=\"label\">{}</div><div class=\"value\">{}</div>",
        esc(label),
        esc(value)
    );
    if let Some((d, up)) = delta {
        let class = if up { "up" } else { "down" };
        let _ = write!(out, "<div class=\"delta {class}\">{}</div>", esc(&d));
    }
    out.push_str("</div>\n");
}

fn figure(out: &mut String, svg: &str) {
    out.push_str("<figure>\n");
    out.push_str(svg);
    out.push_str("</figure>\n");
}

fn details(out: &mut String, summary: &str, table: &Table) {
    let _ = writeln!(out, "<details><summary>{}</summary>", esc(summary));
    table.render(out, true);
    out.push_str("</details>\n");
}
