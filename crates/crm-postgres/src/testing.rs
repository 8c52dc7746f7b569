//! A throw-away PostgreSQL server for tests (feature `testing`).
//!
//! [`TestServer::shared`] runs `initdb` into a temporary directory and
//! starts `postgres` on a free loopback port, with its socket in that
//! directory (no system service, nothing outside the directory), once per
//! test process; [`TestServer::database`] makes a fresh database for one
//! test and drops it when the test is done. A watchdog process stops the
//! server and deletes its directory when the test process exits, however
//! it exits.
//!
//! The server's programs are found in `$CRM_PG_BIN`, else in Debian's
//! `/usr/lib/postgresql/<version>/bin` (the newest), else on `PATH`. The
//! server refuses to run as root: as root, the directory is given to the
//! user `nobody` and the programs run as that user (`runuser`); as an
//! ordinary user they run as that user. A server that cannot be started is
//! a test failure, with the reason and the server's log, not a skip.
//!
//! ```no_run
//! let db = crm_postgres::testing::TestServer::shared().database();
//! let store = crm_postgres::PostgresStore::open(db.url())?;
//! # Ok::<(), crm_store::Error>(())
//! ```

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A PostgreSQL server in a temporary directory on a loopback port.
#[derive(Debug)]
pub struct TestServer {
    dir: PathBuf,
    port: u16,
    /// The certificate authority of the server's certificate, when the
    /// server speaks TLS.
    ca: Option<PathBuf>,
}

/// The role that may connect over TLS only (the server's `pg_hba.conf`
/// rejects its plain-text connections).
pub const TLS_ROLE: &str = "crm_tls";

/// Makes a certificate authority and a server certificate for 127.0.0.1
/// and localhost in `dir` with the `openssl` program: `ca.pem`,
/// `server.crt`, `server.key`.
fn certificates(dir: &Path) -> Result<(), String> {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    output(
        Command::new("openssl")
            .current_dir(dir)
            .args(["req", "-x509", "-days", "3", "-subj", "/CN=crm test CA"])
            .args(ec)
            .args(["-keyout", "ca.key", "-out", "ca.pem"]),
    )?;
    output(
        Command::new("openssl")
            .current_dir(dir)
            .args(["req", "-subj", "/CN=localhost"])
            .args(ec)
            .args(["-keyout", "server.key", "-out", "server.csr"]),
    )?;
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .map_err(|e| e.to_string())?;
    output(
        Command::new("openssl")
            .current_dir(dir)
            .args(["x509", "-req", "-days", "3", "-in", "server.csr"])
            .args(["-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial"])
            .args(["-extfile", "server.ext", "-out", "server.crt"]),
    )?;
    Ok(())
}

/// A database of a [`TestServer`], dropped with this value.
#[derive(Debug)]
pub struct TestDatabase {
    name: String,
    url: String,
    admin: String,
}

impl TestDatabase {
    /// The `postgres://` URL of the database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The user the server runs as when the tests run as root.
const UNPRIVILEGED: &str = "nobody";

fn output(cmd: &mut Command) -> Result<String, String> {
    let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{cmd:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn is_root() -> bool {
    output(Command::new("id").arg("-u")).is_ok_and(|u| u == "0")
}

/// The directory of `initdb`, `pg_ctl` and `postgres`.
fn bin_dir() -> Result<PathBuf, String> {
    if let Some(dir) = std::env::var_os("CRM_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut debian: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    debian.sort();
    if let Some((_, bin)) = debian.pop() {
        return Ok(bin);
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .find(|d| d.join("initdb").exists())
        .ok_or_else(|| {
            "no PostgreSQL server programs: initdb is neither in $CRM_PG_BIN, \
             /usr/lib/postgresql/<version>/bin nor on PATH (Debian: apt-get install postgresql)"
                .to_string()
        })
}

/// A command running `program` of `bin`, as the unprivileged user when
/// we are root.
fn as_server_user(root: bool, bin: &Path, program: &str) -> Command {
    if root {
        let mut c = Command::new("runuser");
        c.args(["-u", UNPRIVILEGED, "--"]).arg(bin.join(program));
        c
    } else {
        Command::new(bin.join(program))
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl TestServer {
    /// The server of this test process, started on first use.
    ///
    /// # Panics
    ///
    /// When the server cannot be started: the tests that need it fail,
    /// with the reason.
    pub fn shared() -> &'static TestServer {
        static SERVER: OnceLock<Result<TestServer, String>> = OnceLock::new();
        match SERVER.get_or_init(TestServer::start) {
            Ok(s) => s,
            Err(e) => panic!("cannot start the test PostgreSQL server: {e}"),
        }
    }

    /// Starts a new server, stopped (and its directory deleted) by a
    /// watchdog when this process exits.
    ///
    /// # Errors
    ///
    /// Why the server could not be started, with its log.
    pub fn start() -> Result<TestServer, String> {
        let bin = bin_dir()?;
        let root = is_root();
        let dir = tempfile::Builder::new()
            .prefix("crm-pg-")
            .tempdir()
            .map_err(|e| e.to_string())?
            .keep();
        let data = dir.join("data");
        // TLS when the openssl program can make certificates; without it
        // the server is plain text, and the TLS test fails saying why.
        let tls = certificates(&dir);
        if root {
            let uid: u32 = output(Command::new("id").args(["-u", UNPRIVILEGED]))?
                .parse()
                .map_err(|e| format!("uid of {UNPRIVILEGED}: {e}"))?;
            let gid: u32 = output(Command::new("id").args(["-g", UNPRIVILEGED]))?
                .parse()
                .map_err(|e| format!("gid of {UNPRIVILEGED}: {e}"))?;
            for entry in std::fs::read_dir(&dir)
                .map_err(|e| e.to_string())?
                .flatten()
            {
                std::os::unix::fs::chown(entry.path(), Some(uid), Some(gid))
                    .map_err(|e| e.to_string())?;
            }
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
        // The watchdog: when this process is gone, stop the server and
        // delete the directory.
        let stop = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; {run}'{pg_ctl}' -D '{data}' -m immediate stop >/dev/null 2>&1; rm -rf '{dir}'",
            pid = std::process::id(),
            run = if root {
                format!("runuser -u {UNPRIVILEGED} -- ")
            } else {
                String::new()
            },
            pg_ctl = bin.join("pg_ctl").display(),
            data = data.display(),
            dir = dir.display(),
        );
        Command::new("sh")
            .args(["-c", &stop])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .map_err(|e| format!("watchdog: {e}"))?;
        output(
            as_server_user(root, &bin, "initdb")
                .arg("-D")
                .arg(&data)
                .args([
                    "-U",
                    "crm",
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-sync",
                ]),
        )?;
        std::fs::write(
            data.join("pg_hba.conf"),
            format!(
                "local all all trust\nhostssl all {TLS_ROLE} 127.0.0.1/32 trust\n\
                 host all {TLS_ROLE} 127.0.0.1/32 reject\nhost all all 127.0.0.1/32 trust\n"
            ),
        )
        .map_err(|e| format!("pg_hba.conf: {e}"))?;
        let ssl = match &tls {
            Ok(()) => {
                let key = dir.join("server.key");
                std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o600))
                    .map_err(|e| e.to_string())?;
                format!(
                    " -c ssl=on -c ssl_cert_file={} -c ssl_key_file={}",
                    dir.join("server.crt").display(),
                    key.display()
                )
            }
            Err(_) => String::new(),
        };
        let log = dir.join("server.log");
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let options = format!(
                "-c listen_addresses=127.0.0.1 -c port={port} -k {} -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=1GB \
                 -c max_connections=100 -c shared_buffers=256MB{ssl}",
                dir.display()
            );
            let started = output(
                as_server_user(root, &bin, "pg_ctl")
                    .arg("-D")
                    .arg(&data)
                    .arg("-l")
                    .arg(&log)
                    .args(["-w", "-t", "120", "-o", &options, "start"]),
            );
            match started {
                Ok(_) => {
                    let server = TestServer {
                        ca: tls.is_ok().then(|| dir.join("ca.pem")),
                        dir,
                        port,
                    };
                    let mut c = postgres::Client::connect(&server.url("postgres"), postgres::NoTls)
                        .map_err(|e| format!("cannot connect to the test server: {e}"))?;
                    c.batch_execute(&format!("CREATE ROLE {TLS_ROLE} LOGIN SUPERUSER"))
                        .map_err(|e| e.to_string())?;
                    return Ok(server);
                }
                Err(e) => {
                    let tail = std::fs::read_to_string(&log).unwrap_or_default();
                    let tail: Vec<&str> = tail.lines().rev().take(20).collect();
                    last = format!(
                        "{e}\nserver log:\n{}",
                        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                    );
                }
            }
        }
        Err(last)
    }

    /// The URL of database `db` for the role [`TLS_ROLE`], which the
    /// server accepts over TLS only, with `sslmode=require` and the test
    /// certificate authority as `sslrootcert`.
    ///
    /// # Errors
    ///
    /// Why the server has no TLS (the `openssl` program could not make
    /// its certificates).
    pub fn tls_url(&self, db: &str) -> Result<String, String> {
        let ca = self
            .ca
            .as_ref()
            .ok_or("the test server has no TLS: the openssl program could not make certificates")?;
        Ok(format!(
            "postgres://{TLS_ROLE}@127.0.0.1:{}/{db}?sslmode=require&sslrootcert={}",
            self.port,
            ca.display()
        ))
    }

    /// The loopback port the server listens on.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The server's directory (data, socket and log).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The URL of database `db` on this server.
    pub fn url(&self, db: &str) -> String {
        format!("postgres://crm@127.0.0.1:{}/{db}", self.port)
    }

    /// A fresh, empty database, dropped with the returned value.
    ///
    /// # Panics
    ///
    /// When the server refuses to create it.
    pub fn database(&self) -> TestDatabase {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "crm_test_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let admin = self.url("postgres");
        let mut c = postgres::Client::connect(&admin, postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to the test server: {e}"));
        c.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap_or_else(|e| panic!("cannot create a test database: {e}"));
        TestDatabase {
            url: self.url(&name),
            name,
            admin,
        }
    }
}
