//! `crm report` on the shipped data, opened in a real browser: Debian's
//! headless chromium renders the page with JavaScript off and no network,
//! every present section's chart has a size, no console errors, and the
//! Dutch page speaks Dutch. Without chromium these tests fail: install it
//! with `apt-get install chromium` (`.ci/run` does).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::util::{crm, data, stderr};

const CHROMIUM: &str = "/usr/bin/chromium";

const SECTIONS: [&str; 15] = [
    "pyramid",
    "migration",
    "value-bridge",
    "projection",
    "whale-curve",
    "profit-pyramid",
    "rfm",
    "share-of-wallet",
    "lifetime-value",
    "model-check",
    "actions",
    "funnel",
    "complaints",
    "campaign",
    "scorecard",
];

/// The sections drawn from the shipped data with every input: all of
/// them.
const PRESENT: usize = 15;

/// Their charts: one per section, two for lifetime value, two for the
/// model check, two for the complaints, two for the actions.
const CHARTS: usize = 15 + 4;

/// Runs headless chromium on `url` with a fresh profile, no network and
/// `extra` flags; fails the test when chromium is missing.
fn chromium(profile: &Path, extra: &[&str], url: &str) -> Output {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: the report is tested in a real browser; install it with `apt-get install -y chromium` (.ci/run does this)"
    );
    let out = Command::new(CHROMIUM)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-dev-shm-usage",
            // No network: every host resolves to nothing, every proxy
            // connection goes to a closed port.
            "--host-resolver-rules=MAP * ~NOTFOUND",
            "--proxy-server=127.0.0.1:9",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(url)
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn url(p: &Path) -> String {
    format!("file://{}", p.display())
}

fn write_report(dir: &Path, lang: &str, extra: &[&str]) -> PathBuf {
    let out = dir.join(format!("report-{lang}.html"));
    let mut args = vec![
        "report",
        "--transactions",
        data_str("transactions.csv"),
        "--customers",
        data_str("customers.csv"),
        "--interactions",
        data_str("interactions.csv"),
        "--leads",
        data_str("leads.csv"),
        "--plan",
        data_str("plan.toml"),
        "--campaign",
        "spring-2025",
        "--campaign-control",
        data_str("campaign_control.csv"),
        "--period",
        "2025",
        "--periods",
        "2021..2025",
        "--calibration-end",
        "2024-12-31",
        "--lang",
        lang,
        "--out",
    ];
    let path = out.to_str().unwrap().to_string();
    args.push(&path);
    args.extend(extra);
    let o = crm(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{PRESENT} of 15 sections")),
        "{}",
        stderr(&o)
    );
    out
}

fn data_str(name: &str) -> &'static str {
    Box::leak(data(name).to_str().unwrap().to_string().into_boxed_str())
}

/// A copy of the page without its script and with a policy that forbids
/// any: the page as a reader with JavaScript off sees it.
fn without_script(page: &Path) -> PathBuf {
    let html = std::fs::read_to_string(page).unwrap();
    let start = html
        .find("<script>")
        .expect("the page has its sorting script");
    let end = html.find("</script>").unwrap() + "</script>".len();
    let off = format!("{}{}", &html[..start], &html[end..]).replacen(
        "<head>",
        "<head>\n<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'none'\">",
        1,
    );
    assert!(!off.contains("<script"));
    let path = page.with_extension("nojs.html");
    std::fs::write(&path, off).unwrap();
    path
}

/// Console messages (the page logs none: any is an error or a warning
/// worth failing on) and uncaught exceptions, from chromium's log.
fn console_errors(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .map(str::to_string)
        .collect()
}

#[test]
fn console_messages_are_caught() {
    // As chromium 148 logs them.
    let log = concat!(
        "[1:1:1125/205821.575627:INFO:CONSOLE:1] \"boom\", source: file:///tmp/bad.html (1)\n",
        "[1:1:1125/205821.575868:INFO:CONSOLE:1] \"Uncaught ReferenceError: x\", source: f (1)\n",
        "[1:1:1125/205821.575868:WARNING:ui/base/idle/idle_linux.cc:111] D-Bus\n",
    );
    assert_eq!(console_errors(log).len(), 2);
}

#[test]
fn the_report_renders_in_a_real_browser() {
    let dir = tempfile::tempdir().unwrap();
    let en = write_report(dir.path(), "en", &[]);
    let nl = write_report(dir.path(), "nl", &[]);
    for page in [&en, &nl] {
        let html = std::fs::read_to_string(page).unwrap();
        // Nothing to fetch: the only URL is the SVG namespace.
        let urls = html.matches("http").count();
        assert_eq!(urls, html.matches("http://www.w3.org/2000/svg").count());
    }

    // JavaScript off: the page is all there. (Chromium's own switch,
    // `--blink-settings=scriptEnabled=false`, also stops --dump-dom and
    // --screenshot, so the page loses its script and forbids any.)
    let (en_off, nl_off) = (without_script(&en), without_script(&nl));
    for (page, words) in [
        (
            &en_off,
            [
                "Customer report 2025",
                "Medium",
                "Inactive",
                "From lead to order",
                "Complaints",
                "Campaign against its control group",
                "benchmark",
                "Actions per strategy",
                "Phase out",
                "Account manager",
            ],
        ),
        (
            &nl_off,
            [
                "Klantenrapport 2025",
                "Middel",
                "Inactief",
                "Van lead tot order",
                "Klachten",
                "Campagne tegen de controlegroep",
                "norm",
                "Acties per strategie",
                "Bouw af",
                "Accountmanager",
            ],
        ),
    ] {
        let profile = tempfile::tempdir().unwrap();
        let out = chromium(profile.path(), &["--dump-dom"], &url(page));
        let dom = String::from_utf8_lossy(&out.stdout);
        for s in SECTIONS {
            assert!(dom.contains(&format!("data-section=\"{s}\"")), "{s}");
        }
        assert_eq!(dom.matches("data-present=\"yes\"").count(), PRESENT);
        assert_eq!(dom.matches("<svg ").count(), CHARTS);
        for id in [
            "chart-actions-strategy",
            "chart-actions-owner",
            "chart-funnel",
            "chart-complaints",
            "chart-complaint-retention",
            "chart-campaign",
            "chart-scorecard",
        ] {
            assert!(dom.contains(&format!("id=\"{id}\"")), "{id}");
        }
        for w in words {
            assert!(dom.contains(w), "{w}");
        }
    }

    // JavaScript on, in a frame of a page that measures every chart: each
    // present section has charts with a size, and nothing logs an error,
    // in both languages.
    for page in [&en, &nl] {
        measure_charts(dir.path(), page);
    }

    // A screenshot with JavaScript off: a PNG of the asked size, not blank.
    let png = dir.path().join("report.png");
    let profile = tempfile::tempdir().unwrap();
    chromium(
        profile.path(),
        &[
            "--window-size=1280,2000",
            &format!("--screenshot={}", png.display()),
        ],
        &url(&nl_off),
    );
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let height = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((width, height), (1280, 2000));
    // A blank page compresses to a few kilobytes; charts and text do not.
    assert!(bytes.len() > 50_000, "{} bytes", bytes.len());
}

/// Opens `page` in a frame of a page that measures every chart of every
/// present section: each has a size, and nothing logs an error.
fn measure_charts(dir: &Path, page: &Path) {
    let harness = dir.join("measure.html");
    std::fs::write(
        &harness,
        format!(
            r#"<!DOCTYPE html><html><body><iframe id="f" src="{}" style="width:1280px;height:900px"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {{
  var d = this.contentDocument, out = [];
  d.querySelectorAll("section[data-present=yes]").forEach(function (s) {{
    var sizes = [];
    s.querySelectorAll("svg").forEach(function (g) {{
      var b = g.getBoundingClientRect();
      sizes.push(Math.round(b.width) + "x" + Math.round(b.height));
    }});
    out.push(s.id + "=" + sizes.join(","));
  }});
  var p = document.createElement("pre");
  p.id = "sizes";
  p.textContent = "[" + out.join(";") + "]";
  document.body.appendChild(p);
}});
</script></body></html>"#,
            page.file_name().unwrap().to_str().unwrap()
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = chromium(
        profile.path(),
        &[
            "--allow-file-access-from-files",
            "--virtual-time-budget=10000",
            "--dump-dom",
        ],
        &url(&harness),
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert_eq!(console_errors(&log), Vec::<String>::new());
    let sizes = dom
        .split("<pre id=\"sizes\">[")
        .nth(1)
        .and_then(|s| s.split("]</pre>").next())
        .unwrap_or_else(|| panic!("no sizes measured: {dom}"));
    let sections: Vec<&str> = sizes.split(';').collect();
    assert_eq!(sections.len(), PRESENT, "{sizes}");
    for s in sections {
        let (id, charts) = s.split_once('=').unwrap();
        assert!(!charts.is_empty(), "{id} has no chart");
        for c in charts.split(',') {
            let (w, h) = c.split_once('x').unwrap();
            let (w, h): (u32, u32) = (w.parse().unwrap(), h.parse().unwrap());
            assert!(w > 100 && h > 100, "{id}: chart of {w}x{h}");
        }
    }
    for id in ["actions", "funnel", "complaints", "campaign", "scorecard"] {
        assert!(sizes.contains(&format!("{id}=")), "{id} measured: {sizes}");
    }
    // The actions section has its two charts, by strategy and by owner.
    let actions = sizes
        .split(';')
        .find_map(|s| s.strip_prefix("actions="))
        .unwrap_or_default();
    assert_eq!(actions.split(',').count(), 2, "actions: {actions}");
}

#[test]
fn the_same_data_gives_the_same_page() {
    let dir = tempfile::tempdir().unwrap();
    let a = std::fs::read(write_report(dir.path(), "en", &[])).unwrap();
    let b = std::fs::read(write_report(dir.path(), "en", &[])).unwrap();
    assert!(a == b, "the report differs between runs");
}

#[test]
fn missing_inputs_are_named_on_the_page() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let o = crm(&[
        "report",
        "--transactions",
        data_str("transactions.csv"),
        "--period",
        "2025",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&out).unwrap();
    // Pyramid, migration, bridge, whale, profit pyramid, RFM, lifetime
    // value, the actions and the scorecard.
    assert_eq!(html.matches("data-present=\"yes\"").count(), 9);
    for note in [
        "Add a customer register with a potential column (--customers)",
        "Add --periods",
        "Add --calibration-end",
        "Add the leads (--leads FILE",
        "Add interactions of the kinds complaint and complaint-resolved",
        "Add --campaign NAME and --campaign-control FILE",
        "No plan given: add --plan FILE",
    ] {
        assert!(html.contains(note), "{note}");
    }
}

/// The count of `name`'s row in the page's tables (`<td>name</td><td
/// class="n" data-v="N">`), if any.
fn row_count(html: &str, name: &str) -> Option<u64> {
    let at = html.find(&format!("<td>{name}</td><td class=\"n\" data-v=\""))?;
    let rest = &html[at..];
    let v = rest.split("data-v=\"").nth(1)?;
    v.split('"').next()?.parse().ok()
}

/// The actions section counts what `crm actions` plans on the same inputs,
/// per strategy and per owner, with the default rulebook and with one of
/// the user's (`--rules`, the same option).
#[test]
fn the_actions_section_counts_as_crm_actions_does() {
    let dir = tempfile::tempdir().unwrap();
    // A rulebook of the user's: the default with its sales rules given to
    // a field team, and the history cut to one period.
    let default = crm(&["actions", "--print-default-rules"]);
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        String::from_utf8(default.stdout)
            .unwrap()
            .replace("owner = \"sales\"", "owner = \"field-team\""),
    )
    .unwrap();
    let rules = rules.to_str().unwrap().to_string();
    let inputs = [
        "--transactions",
        data_str("transactions.csv"),
        "--customers",
        data_str("customers.csv"),
        "--interactions",
        data_str("interactions.csv"),
        "--leads",
        data_str("leads.csv"),
        "--period",
        "2025",
    ];
    for extra in [vec![], vec!["--rules", &rules, "--history", "1"]] {
        let mut args = vec!["actions", "--format", "json"];
        args.extend(inputs);
        args.extend(&extra);
        let o = crm(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let plan: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        let summary = &plan["summary"];
        let page = dir.path().join("r.html");
        let mut args = vec!["report", "--lang", "en", "--out", page.to_str().unwrap()];
        args.extend(inputs);
        args.extend(&extra);
        let o = crm(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        let html = std::fs::read_to_string(&page).unwrap();
        let names = [
            ("target", "Target the right customers"),
            ("acquire", "Acquire"),
            ("retain", "Retain"),
            ("develop", "Develop"),
            ("phase-out", "Phase out"),
        ];
        let mut total = 0;
        for (key, name) in names {
            let want = summary["by_strategy"][key].as_u64().unwrap_or(0);
            assert_eq!(row_count(&html, name), Some(want), "{key} {extra:?}");
            total += want;
        }
        assert!(total > 100, "{total} actions");
        let owners = summary["by_owner"].as_object().unwrap();
        assert_eq!(owners.contains_key("field-team"), !extra.is_empty());
        for (owner, n) in owners {
            let shown = match owner.as_str() {
                "account-manager" => "Account manager".to_string(),
                "back-office" => "Back office".to_string(),
                other => {
                    let mut c = other.chars();
                    let first = c.next().unwrap().to_uppercase();
                    first.chain(c).collect()
                }
            };
            assert_eq!(row_count(&html, &shown), n.as_u64(), "{owner} {extra:?}");
        }
        let shown = if total >= 1000 {
            format!("{},{:03}", total / 1000, total % 1000)
        } else {
            total.to_string()
        };
        let reading = format!("proposes {shown} actions for");
        assert!(html.contains(&reading), "{reading}");
    }
}

#[test]
fn bad_flags_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let out = out.to_str().unwrap();
    let t = data_str("transactions.csv");
    for (args, msg) in [
        (
            vec!["--period", "2025", "--lang", "fr"],
            "--lang: unknown language",
        ),
        (vec!["--period", "2025", "--periods", "2025"], "--periods"),
        (vec!["--period", "2025", "--from", "2025"], "--from"),
        (
            vec!["--period", "2025", "--calibration-end", "soon"],
            "--calibration-end",
        ),
    ] {
        let mut all = vec!["report", "--transactions", t, "--out", out];
        all.extend(args);
        let o = crm(&all);
        assert_eq!(o.status.code(), Some(2), "{all:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(msg), "{}", stderr(&o));
    }
}

#[test]
fn a_database_gives_the_same_page_as_the_files() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db");
    let db = db.to_str().unwrap();
    let o = crm(&[
        "import",
        "--db",
        db,
        "--transactions",
        data_str("transactions.csv"),
        "--customers",
        data_str("customers.csv"),
        "--interactions",
        data_str("interactions.csv"),
        "--leads",
        data_str("leads.csv"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_db = dir.path().join("db.html");
    let o = crm(&[
        "report",
        "--db",
        db,
        "--plan",
        data_str("plan.toml"),
        "--campaign",
        "spring-2025",
        "--campaign-control",
        data_str("campaign_control.csv"),
        "--period",
        "2025",
        "--periods",
        "2021..2025",
        "--calibration-end",
        "2024-12-31",
        "--lang",
        "nl",
        "--out",
        from_db.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let from_files = write_report(dir.path(), "nl", &[]);
    assert!(std::fs::read(from_db).unwrap() == std::fs::read(from_files).unwrap());
}

/// The section `id` of a page, from its `<section` to its `</section>`.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let at = page.find(&format!("id=\"{id}\"")).expect("the section");
    let start = page[..at].rfind("<section").unwrap();
    let end = start + page[start..].find("</section>").unwrap();
    &page[start..end]
}

/// A campaign after the report's period: from a database the campaign
/// reads every date, in the same snapshot as the other sections, while
/// the ledger keeps only the sales and interactions before the periods'
/// end. The campaign section is the files' one, and measuring a campaign
/// changes no other section.
#[test]
fn a_database_measures_a_later_campaign_as_the_files_do() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crm.db");
    let db = db.to_str().unwrap();
    let files = [
        "--transactions",
        data_str("transactions.csv"),
        "--customers",
        data_str("customers.csv"),
        "--interactions",
        data_str("interactions.csv"),
    ];
    let mut import = vec!["import", "--db", db];
    import.extend(files);
    let o = crm(&import);
    assert!(o.status.success(), "{}", stderr(&o));
    let campaign = [
        "--campaign",
        "spring-2025",
        "--campaign-control",
        data_str("campaign_control.csv"),
    ];
    let page = |source: &[&str], extra: &[&str], name: &str| {
        let out = dir.path().join(name);
        let mut args = vec!["report"];
        args.extend(source);
        args.extend(extra);
        args.extend(["--period", "2024", "--lang", "en", "--out"]);
        args.push(out.to_str().unwrap());
        let o = crm(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        std::fs::read_to_string(out).unwrap()
    };
    let from_db = page(&["--db", db], &campaign, "db.html");
    let from_files = page(&files, &campaign, "files.html");
    let without = page(&["--db", db], &[], "db-without.html");
    let db_campaign = section(&from_db, "campaign");
    assert!(
        db_campaign.contains("data-present=\"yes\""),
        "{db_campaign}"
    );
    assert!(
        db_campaign == section(&from_files, "campaign"),
        "the campaign sections differ"
    );
    // The ledger's sections, and the header that counts its transactions,
    // are those of the report without the campaign.
    let header = |p: &str| {
        let head = &p[..p.find("</header>").unwrap()];
        head.split("<p>").map(str::to_string).collect::<Vec<_>>()
    };
    assert!(
        header(&from_db)
            .iter()
            .any(|p| p.contains("14,604 transactions"))
    );
    assert_eq!(header(&from_db), header(&without));
    // An unknown campaign: the error alone, no note about the control
    // file first.
    let out = dir.path().join("nope.html");
    let o = crm(&[
        "report",
        "--db",
        db,
        "--campaign",
        "nope",
        "--campaign-control",
        data_str("campaign_control.csv"),
        "--period",
        "2024",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("nothing to measure"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("left out"), "{}", stderr(&o));
    assert!(!out.exists());
    for id in [
        "pyramid",
        "migration",
        "value-bridge",
        "whale-curve",
        "profit-pyramid",
        "rfm",
        "share-of-wallet",
        "lifetime-value",
        "actions",
        "complaints",
    ] {
        assert!(
            section(&from_db, id) == section(&without, id),
            "{id} changed"
        );
    }
}

/// A control group without a customer who did not receive the campaign:
/// the campaign section says there is nothing to compare with, instead of
/// an uplift of "–"; control customers who had a send are noted.
#[test]
fn an_empty_control_group_is_said_in_words() {
    let dir = tempfile::tempdir().unwrap();
    // A customer who received spring-2025, and nobody else.
    let interactions = std::fs::read_to_string(data("interactions.csv")).unwrap();
    let treated = interactions
        .lines()
        .find(|l| l.contains("campaign-sent") && l.contains("spring-2025"))
        .and_then(|l| l.split(',').next())
        .unwrap()
        .to_string();
    let control = dir.path().join("control.csv");
    std::fs::write(&control, format!("customer_id\n{treated}\n")).unwrap();
    let out = dir.path().join("r.html");
    let o = crm(&[
        "report",
        "--transactions",
        data_str("transactions.csv"),
        "--interactions",
        data_str("interactions.csv"),
        "--campaign",
        "spring-2025",
        "--campaign-control",
        control.to_str().unwrap(),
        "--period",
        "2025",
        "--lang",
        "en",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&out).unwrap();
    let section = section(&html, "campaign");
    assert!(section.contains("nothing to compare with"), "{section}");
    assert!(!section.contains("uplift –"), "{section}");
    assert!(
        section.contains("who had a send anyway, counted as treated: 1<"),
        "{section}"
    );
}

#[test]
fn the_language_defaults_from_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("r.html");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_crm"))
        .args([
            "report",
            "--transactions",
            data_str("transactions.csv"),
            "--period",
            "2025",
            "--out",
            out.to_str().unwrap(),
        ])
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "nl_BE.UTF-8")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("<html lang=\"nl\">") && html.contains("Klantenrapport 2025"));
}
