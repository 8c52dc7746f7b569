use std::path::PathBuf;
use std::process::{Command, Output};

pub fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/data")
        .join(name)
}

pub fn crm(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crm"))
        .args(args)
        .output()
        .expect("run crm")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}
