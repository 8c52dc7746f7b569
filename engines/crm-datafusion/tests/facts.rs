//! The facts pass on DataFusion in-process and on a Ballista cluster (a
//! scheduler and two executors started here on loopback ports) gives the
//! ledger, the pyramids and the migration of the CSV path, exactly.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crm_core::{Ledger, LedgerOptions, Period};
use crm_datafusion::{Error, Partitions, local_context, record_facts};
use crm_migration::{Migration, risk_list};
use crm_pyramid::{PyramidOptions, PyramidReport, pyramid};
use datafusion::prelude::SessionContext;

/// A generated data set of 3,000 customers over five years, its
/// transactions split round-robin into four partitions (so each customer's
/// rows are spread over all of them).
struct Data {
    _dir: tempfile::TempDir,
    transactions: PathBuf,
    partitions: PathBuf,
}

fn data() -> &'static Data {
    static DATA: OnceLock<Data> = OnceLock::new();
    DATA.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let config = crm_synth::SynthConfig::new(3_000).seed(15);
        let written = crm_synth::write_dataset(&config, dir.path()).unwrap();
        let partitions = dir.path().join("parts");
        split(&written.transactions, &partitions, 4);
        Data {
            transactions: written.transactions,
            partitions,
            _dir: dir,
        }
    })
}

/// Splits a CSV file into `n` files of `dir`, each with the header.
fn split(file: &Path, dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).unwrap();
    let mut lines = BufReader::new(std::fs::File::open(file).unwrap()).lines();
    let header = lines.next().unwrap().unwrap();
    let mut outs: Vec<_> = (0..n)
        .map(|i| {
            let mut f = std::io::BufWriter::new(
                std::fs::File::create(dir.join(format!("part-{i}.csv"))).unwrap(),
            );
            writeln!(f, "{header}").unwrap();
            f
        })
        .collect();
    for (i, line) in lines.enumerate() {
        writeln!(outs[i % n], "{}", line.unwrap()).unwrap();
    }
    for mut o in outs {
        o.flush().unwrap();
    }
}

fn periods() -> Vec<Period> {
    ["2024", "2025", "2025-Q4", "2023"]
        .iter()
        .map(|p| p.parse().unwrap())
        .collect()
}

/// The ledger of the CSV path: every row streamed by crm-csv.
fn csv_ledger(options: LedgerOptions) -> Ledger {
    let mut ledger = Ledger::with_options(periods(), options);
    crm_csv::read_transactions(
        &data().transactions,
        &crm_csv::ImportOptions::new(),
        &mut ledger,
    )
    .unwrap();
    ledger
}

/// The ledger fed the facts computed on `ctx`.
async fn facts_ledger(ctx: &SessionContext, options: LedgerOptions) -> Ledger {
    let mut ledger = Ledger::with_options(periods(), options);
    let parts = Partitions::csv(&data().partitions).unwrap();
    assert_eq!(parts.files().len(), 4);
    let report = record_facts(ctx, &parts, &mut ledger).await.unwrap();
    assert_eq!(report.partitions, 4);
    assert_eq!(report.customers, ledger.len() as u64);
    ledger
}

/// Every customer's aggregates, per key, and the stats are equal; amounts
/// compare by their text too, so a scale that differs is caught.
fn assert_same_ledger(a: &Ledger, b: &Ledger) {
    assert_eq!(a.len(), b.len());
    assert_eq!(a.stats(), b.stats());
    assert!(a.len() > 2_000, "{} customers", a.len());
    for id in a.ids() {
        let key = a.key(id).unwrap();
        let other = b.id(key).unwrap();
        assert_eq!(a.totals(id), b.totals(other), "{key}");
        for p in 0..a.periods().len() {
            let (x, y) = (
                a.period_totals(id, p).unwrap(),
                b.period_totals(other, p).unwrap(),
            );
            assert_eq!(x, y, "{key}");
            for basis in [crm_core::Basis::Revenue, crm_core::Basis::Margin] {
                assert_eq!(
                    x.value(basis).to_string(),
                    y.value(basis).to_string(),
                    "{key}"
                );
            }
        }
        assert_eq!(
            a.purchase_day_numbers(id),
            b.purchase_day_numbers(other),
            "{key}"
        );
    }
}

/// The pyramids of each period, their reports (against the period before),
/// every customer's assignment, the migration 2024 → 2025 and its risk list
/// are equal.
fn assert_same_analyses(a: &Ledger, b: &Ledger) {
    let options = PyramidOptions::new();
    let mut compared = 0;
    for period in periods() {
        let (pa, pb) = (
            pyramid(a, &period, &options).unwrap(),
            pyramid(b, &period, &options).unwrap(),
        );
        assert_eq!(
            PyramidReport::new(&pa, None),
            PyramidReport::new(&pb, None),
            "{period}"
        );
        let mut xa: Vec<_> = pa.assignments(a).unwrap().collect();
        let mut xb: Vec<_> = pb.assignments(b).unwrap().collect();
        xa.sort_by_key(|x| x.customer);
        xb.sort_by_key(|x| x.customer);
        assert_eq!(xa, xb, "{period}");
        compared += xa.len();
    }
    assert!(compared > 8_000);
    let (earlier, later): (Period, Period) = ("2024".parse().unwrap(), "2025".parse().unwrap());
    let (a1, a2) = (
        pyramid(a, &earlier, &options).unwrap(),
        pyramid(a, &later, &options).unwrap(),
    );
    let (b1, b2) = (
        pyramid(b, &earlier, &options).unwrap(),
        pyramid(b, &later, &options).unwrap(),
    );
    assert_eq!(
        PyramidReport::new(&a2, Some(&a1)),
        PyramidReport::new(&b2, Some(&b1))
    );
    let (ma, mb) = (
        Migration::between(a, &a1, &a2).unwrap(),
        Migration::between(b, &b1, &b2).unwrap(),
    );
    assert_eq!(ma, mb);
    assert!(ma.summary.stayed > 0 && ma.summary.down > 0);
    let mut ra = risk_list(a, &a1, &a2).unwrap();
    let mut rb = risk_list(b, &b1, &b2).unwrap();
    ra.sort_by_key(|r| r.customer);
    rb.sort_by_key(|r| r.customer);
    assert_eq!(ra, rb);
    assert!(!ra.is_empty());
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn in_process_facts_give_the_results_of_the_csv_path() {
    let rt = runtime();
    for options in [
        LedgerOptions::new(),
        LedgerOptions::new().purchase_days(true),
    ] {
        let fed = rt.block_on(facts_ledger(&local_context(), options));
        let csv = csv_ledger(options);
        assert_same_ledger(&csv, &fed);
        assert_same_analyses(&csv, &fed);
    }
}

/// A Ballista scheduler and two executors on loopback ports, in this
/// process: they run on `rt` and stop when it is dropped, whatever the
/// test's outcome.
async fn start_cluster() -> String {
    use ballista_core::serde::BallistaCodec;
    use ballista_core::serde::protobuf::scheduler_grpc_client::SchedulerGrpcClient;
    let addr = ballista_scheduler::standalone::new_standalone_scheduler()
        .await
        .expect("the scheduler starts");
    let url = format!("http://localhost:{}", addr.port());
    let mut tries = 0;
    let scheduler = loop {
        match SchedulerGrpcClient::connect(url.clone()).await {
            Ok(s) => break s,
            Err(e) => {
                tries += 1;
                assert!(tries < 100, "no scheduler at {url}: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    };
    for _ in 0..2 {
        ballista_executor::new_standalone_executor(scheduler.clone(), 2, BallistaCodec::default())
            .await
            .expect("an executor starts");
    }
    format!("df://localhost:{}", addr.port())
}

#[test]
fn a_ballista_cluster_gives_the_results_of_the_csv_path() {
    let rt = runtime();
    let url = rt.block_on(start_cluster());
    let ctx = rt.block_on(crm_datafusion::cluster_context(&url)).unwrap();
    let options = LedgerOptions::new();
    let fed = rt.block_on(facts_ledger(&ctx, options));
    let csv = csv_ledger(options);
    assert_same_ledger(&csv, &fed);
    assert_same_analyses(&csv, &fed);
    // The in-process pass agrees with the cluster's, row for row.
    let parts = Partitions::csv(&data().partitions).unwrap();
    let bounds: Vec<_> = periods().iter().map(|p| (p.start(), p.end())).collect();
    let remote = rt
        .block_on(crm_datafusion::facts(&ctx, &parts, &bounds, false))
        .unwrap();
    let local = rt
        .block_on(crm_datafusion::facts(
            &local_context(),
            &parts,
            &bounds,
            false,
        ))
        .unwrap();
    assert_eq!(remote, local);
    drop(ctx);
    drop(rt);
}

#[test]
fn a_cluster_that_is_not_there_is_an_error() {
    let rt = runtime();
    // A port that was free a moment ago: nothing listens on it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let ctx = rt
        .block_on(crm_datafusion::cluster_context(&format!(
            "df://127.0.0.1:{port}"
        )))
        .unwrap();
    let mut ledger = Ledger::new(periods());
    let parts = Partitions::csv(&data().partitions).unwrap();
    let e = rt
        .block_on(record_facts(&ctx, &parts, &mut ledger))
        .unwrap_err();
    assert!(matches!(e, Error::Engine { .. }), "{e}");
    assert_eq!(ledger.len(), 0);
}

/// Runs the pass over one CSV file holding `body` after the header.
fn facts_of(header: &str, body: &str) -> (PathBuf, Result<Ledger, Error>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("part-0.csv");
    std::fs::write(&file, format!("{header}\n{body}")).unwrap();
    let rt = runtime();
    let mut ledger = Ledger::new(periods());
    let r = Partitions::csv(dir.path())
        .and_then(|parts| rt.block_on(record_facts(&local_context(), &parts, &mut ledger)))
        .map(|_| ledger);
    (file, r, dir)
}

#[test]
fn bad_input_is_an_error_naming_the_file() {
    const H: &str = "customer_id,date,revenue,margin";
    // Missing folder.
    let e = Partitions::csv("/nonexistent/partitions").unwrap_err();
    assert!(
        e.to_string().starts_with("/nonexistent/partitions: "),
        "{e}"
    );
    // Missing column.
    let (file, r, _d) = facts_of("customer_id,date,amount", "C1,2025-01-02,5\n");
    let e = r.unwrap_err();
    assert!(matches!(e, Error::Column { .. }), "{e}");
    assert!(e.to_string().contains(&*file.to_string_lossy()), "{e}");
    assert!(e.to_string().contains("\"revenue\""), "{e}");
    // Bad money.
    let (file, r, _d) = facts_of(H, "C1,2025-01-02,5.00,1\nC2,2025-01-03,12x,1\n");
    let e = r.unwrap_err();
    assert!(e.to_string().contains(&*file.to_string_lossy()), "{e}");
    assert!(e.to_string().contains("12x"), "{e}");
    // Bad date.
    let (file, r, _d) = facts_of(H, "C1,2025-13-02,5.00,1\n");
    let e = r.unwrap_err();
    assert!(e.to_string().contains(&*file.to_string_lossy()), "{e}");
    // Missing revenue.
    let (_, r, _d) = facts_of(H, "C1,2025-01-02,,1\n");
    assert!(matches!(
        r.unwrap_err(),
        Error::Missing {
            field: "revenue",
            ..
        }
    ));
    // More decimal places than are read exactly.
    let (_, r, _d) = facts_of(H, "C1,2025-01-02,1.00000000001,1\n");
    assert!(matches!(r.unwrap_err(), Error::Inexact { places: 11, .. }));
    // A partition whose header differs from the first's.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        format!("{H}\nC1,2025-01-02,5,1\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.csv"),
        "customer_id,revenue,date\nC1,5,2025-01-02\n",
    )
    .unwrap();
    let e = Partitions::csv(dir.path())
        .and_then(|p| {
            runtime().block_on(record_facts(
                &local_context(),
                &p,
                &mut Ledger::new(periods()),
            ))
        })
        .unwrap_err();
    assert!(e.to_string().contains("b.csv"), "{e}");
    // In a folder of several partitions, the bad one is named.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("a.csv"),
        format!("{H}\nC1,2025-01-02,5,1\n"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("b.csv"),
        format!("{H}\nC1,2025-01-02,five,1\n"),
    )
    .unwrap();
    let e = Partitions::csv(dir.path())
        .and_then(|p| {
            runtime().block_on(record_facts(
                &local_context(),
                &p,
                &mut Ledger::new(periods()),
            ))
        })
        .unwrap_err();
    assert!(e.to_string().contains("b.csv"), "{e}");
}

#[test]
fn amounts_stay_exact_and_keep_their_scale() {
    // Amounts that a float would round, and a scale the sum keeps.
    let (_, r, _d) = facts_of(
        "customer_id,date,revenue,margin",
        "C1,2025-01-02,0.10,\nC1,2025-02-02,0.20,0.1\nC1,2025-03-02, 12345678901234567.1 ,\n",
    );
    let ledger = r.unwrap();
    let id = ledger.id("C1").unwrap();
    let t = ledger.period_totals(id, 1).unwrap();
    assert_eq!(
        t.value(crm_core::Basis::Revenue).to_string(),
        "12345678901234567.40"
    );
    assert_eq!(t.value(crm_core::Basis::Margin).to_string(), "0.1");
    assert_eq!(ledger.stats().transactions, 3);
}

/// The partitions rewritten as Parquet by DataFusion: dates as DATE,
/// amounts as DECIMAL(12, 2) (or as `float` when asked).
fn parquet_copy(rt: &tokio::runtime::Runtime, dir: &Path, money: &str) {
    let ctx = local_context();
    rt.block_on(async {
        ctx.register_csv(
            "rows",
            format!("{}/", data().partitions.display()),
            datafusion::prelude::CsvReadOptions::new()
                .has_header(true)
                .schema(&datafusion::arrow::datatypes::Schema::new(
                    ["transaction_id", "customer_id", "date", "revenue", "margin"]
                        .map(|n| {
                            datafusion::arrow::datatypes::Field::new(
                                n,
                                datafusion::arrow::datatypes::DataType::Utf8,
                                true,
                            )
                        })
                        .to_vec(),
                )),
        )
        .await
        .unwrap();
        let df = ctx
            .sql(&format!(
                "SELECT customer_id, CAST(\"date\" AS DATE) AS \"date\", \
                 CAST(revenue AS {money}) AS revenue, CAST(margin AS {money}) AS margin FROM rows"
            ))
            .await
            .unwrap()
            .repartition(datafusion::prelude::Partitioning::RoundRobinBatch(3))
            .unwrap();
        df.write_parquet(
            &format!("{}/", dir.display()),
            datafusion::dataframe::DataFrameWriteOptions::new(),
            None,
        )
        .await
        .unwrap();
    });
}

#[test]
fn parquet_partitions_give_the_results_of_the_csv_path() {
    let rt = runtime();
    let dir = tempfile::tempdir().unwrap();
    parquet_copy(&rt, dir.path(), "DECIMAL(12, 2)");
    let parts = Partitions::parquet(dir.path()).unwrap();
    assert!(parts.files().len() > 1, "{:?}", parts.files());
    let options = LedgerOptions::new();
    let mut fed = Ledger::with_options(periods(), options);
    rt.block_on(record_facts(&local_context(), &parts, &mut fed))
        .unwrap();
    let csv = csv_ledger(options);
    assert_same_analyses(&csv, &fed);
    // Sums keep the DECIMAL's scale: the ledgers agree to the digit where
    // every amount has two decimal places, as the generated ones have.
    assert_same_ledger(&csv, &fed);

    // Floats are refused, naming the file.
    let floats = tempfile::tempdir().unwrap();
    parquet_copy(&rt, floats.path(), "DOUBLE");
    let parts = Partitions::parquet(floats.path()).unwrap();
    let e = rt
        .block_on(record_facts(
            &local_context(),
            &parts,
            &mut Ledger::new(periods()),
        ))
        .unwrap_err();
    assert!(matches!(e, Error::Column { .. }), "{e}");
    assert!(e.to_string().contains("never floats"), "{e}");
    assert!(e.to_string().contains(".parquet"), "{e}");
}
