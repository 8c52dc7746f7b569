//! Connection strings and TLS.

use std::time::Duration;

use crm_store::{Error, Result};
use postgres::config::SslMode;
use postgres::{Client, Config, NoTls};

/// A parsed connection string.
#[derive(Debug)]
pub(crate) struct Target {
    pub(crate) config: Config,
    /// The connection string without its password, for messages.
    pub(crate) shown: String,
    /// Whether TLS was asked for (`sslmode` other than `disable`).
    tls: bool,
    /// A file of root certificates to trust besides the system's.
    root_cert: Option<String>,
}

/// How long to wait for the server to answer a connection, when the
/// connection string does not say (`connect_timeout`).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

impl Target {
    /// Parses a `postgres://` URL or a `key=value` connection string.
    /// `sslrootcert` is read here (the client library does not know it);
    /// `sslmode` `verify-ca` and `verify-full` mean `require`, which always
    /// verifies the server's certificate.
    pub(crate) fn parse(url: &str) -> Result<Target> {
        let shown = redact(url);
        let mut root_cert = None;
        let mut mode = None;
        let (base, query) = match url.split_once('?') {
            Some((b, q)) if is_url(url) => (b.to_string(), Some(q)),
            _ => (url.to_string(), None),
        };
        let mut kept = Vec::new();
        if let Some(q) = query {
            for pair in q.split('&') {
                match pair.split_once('=') {
                    Some(("sslrootcert", v)) => root_cert = Some(percent_decode(v)),
                    Some(("sslmode", v)) => mode = Some(v.to_string()),
                    _ => kept.push(pair),
                }
            }
        }
        let tls = match mode.as_deref() {
            None | Some("disable") => false,
            Some("prefer" | "require" | "verify-ca" | "verify-full") => true,
            Some(other) => {
                return Err(Error::backend(std::io::Error::other(format!(
                    "{shown}: unknown sslmode {other:?} (disable, prefer, require, verify-ca or verify-full)"
                ))));
            }
        };
        let mut plain = base;
        if !kept.is_empty() {
            plain.push('?');
            plain.push_str(&kept.join("&"));
        }
        let mut config: Config = plain.parse().map_err(|e: postgres::Error| {
            Error::backend(std::io::Error::other(format!(
                "{shown}: {}",
                crate::store::describe(&e)
            )))
        })?;
        if !is_url(url) && config.get_ssl_mode() != SslMode::Disable {
            // A key=value string gives its sslmode to the client library.
            return Ok(Target {
                tls: true,
                config,
                shown,
                root_cert,
            });
        }
        config.ssl_mode(if tls {
            SslMode::Require
        } else {
            SslMode::Disable
        });
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        Ok(Target {
            config,
            shown,
            tls,
            root_cert,
        })
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// `%XX` escapes of a URL's query value decoded.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The connection string without its password: a URL's `user:password@`
/// becomes `user:***@`, a `password=` parameter `password=***`.
pub(crate) fn redact(url: &str) -> String {
    let mut s = url.to_string();
    if is_url(url)
        && let Some(scheme_end) = s.find("://")
    {
        let rest_start = scheme_end + 3;
        let authority_end = s[rest_start..]
            .find(['/', '?'])
            .map_or(s.len(), |i| rest_start + i);
        if let Some(at) = s[rest_start..authority_end].rfind('@') {
            let userinfo = &s[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                s.replace_range(rest_start + colon + 1..rest_start + at, "***");
            }
        }
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s.as_str();
    while let Some(i) = rest.find("password=") {
        let (before, after) = rest.split_at(i + "password=".len());
        out.push_str(before);
        out.push_str("***");
        let end = after.find(['&', ' ']).unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

/// Connects: in plain text, or with TLS (rustls) verifying the server's
/// certificate against the system's roots and `sslrootcert`.
pub(crate) fn connect(target: &Target) -> Result<Client> {
    let shown = &target.shown;
    let failed = |e: postgres::Error| -> Error {
        if e.code() == Some(&postgres::error::SqlState::INVALID_CATALOG_NAME) {
            Error::NotFound {
                path: shown.clone(),
            }
        } else {
            Error::backend(std::io::Error::other(format!(
                "cannot connect to {shown}: {}",
                crate::store::describe(&e)
            )))
        }
    };
    if !target.tls {
        return target.config.connect(NoTls).map_err(failed);
    }
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A system certificate rustls cannot use is left out, as by
        // every other program.
        let _ = roots.add(cert);
    }
    if let Some(path) = &target.root_cert {
        let file = std::fs::File::open(path).map_err(|e| {
            Error::backend(std::io::Error::other(format!("sslrootcert {path}: {e}")))
        })?;
        let mut reader = std::io::BufReader::new(file);
        for cert in rustls_pemfile::certs(&mut reader) {
            let cert = cert.map_err(|e| {
                Error::backend(std::io::Error::other(format!("sslrootcert {path}: {e}")))
            })?;
            roots.add(cert).map_err(|e| {
                Error::backend(std::io::Error::other(format!("sslrootcert {path}: {e}")))
            })?;
        }
    }
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(Error::backend)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    let tls = tokio_postgres_rustls::MakeRustlsConnect::new(tls);
    target.config.connect(tls).map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            redact("postgres://crm:s3cret@db.example:5432/crm?sslmode=require"),
            "postgres://crm:***@db.example:5432/crm?sslmode=require"
        );
        assert_eq!(
            redact("postgres://db/crm?user=a&password=s3cret&x=1"),
            "postgres://db/crm?user=a&password=***&x=1"
        );
        assert_eq!(
            redact("host=db password=s3cret dbname=crm"),
            "host=db password=*** dbname=crm"
        );
        assert_eq!(redact("postgres://crm@db/crm"), "postgres://crm@db/crm");
    }

    #[test]
    fn ssl_parameters_are_read_here() {
        let t = Target::parse("postgres://u@h/db?sslmode=verify-full&sslrootcert=%2Ftmp%2Fca.pem")
            .unwrap();
        assert!(t.tls);
        assert_eq!(t.root_cert.as_deref(), Some("/tmp/ca.pem"));
        assert_eq!(t.config.get_ssl_mode(), SslMode::Require);
        let t = Target::parse("postgres://u@h/db").unwrap();
        assert!(!t.tls);
        assert!(Target::parse("postgres://u@h/db?sslmode=sometimes").is_err());
    }
}
