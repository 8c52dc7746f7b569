use crate::util::{crm, stderr};

#[test]
fn generate_is_deterministic() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [&a, &b] {
        let o = crm(&[
            "generate",
            "--customers",
            "300",
            "--years",
            "3",
            "--seed",
            "9",
            "--out",
            dir.path().to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", stderr(&o));
    }
    for f in [
        "transactions.csv",
        "customers.csv",
        "interactions.csv",
        "leads.csv",
    ] {
        let x = std::fs::read(a.path().join(f)).unwrap();
        let y = std::fs::read(b.path().join(f)).unwrap();
        assert_eq!(x, y, "{f}");
        assert!(x.len() > 1000);
    }
    let t = std::fs::read_to_string(a.path().join("transactions.csv")).unwrap();
    assert!(t.lines().any(|l| l.contains(",-")), "credit notes present");
    let i = std::fs::read_to_string(a.path().join("interactions.csv")).unwrap();
    assert!(i.contains(",complaint,"));
}

#[test]
fn bad_generate_arguments() {
    let o = crm(&["generate", "--years", "0", "--out", "/tmp/x"]);
    assert_eq!(o.status.code(), Some(2));
    let o = crm(&["generate", "--customers", "-1", "--out", "/tmp/x"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn shipped_example_data_matches_the_generator() {
    // README's first command uses examples/data; it is this generator's
    // output for these arguments.
    let dir = tempfile::tempdir().unwrap();
    let o = crm(&[
        "generate",
        "--customers",
        "2000",
        "--years",
        "5",
        "--seed",
        "42",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert!(o.status.success());
    for f in [
        "transactions.csv",
        "customers.csv",
        "interactions.csv",
        "leads.csv",
    ] {
        let fresh = std::fs::read(dir.path().join(f)).unwrap();
        let shipped = std::fs::read(crate::util::data(f)).unwrap();
        assert!(
            fresh == shipped,
            "examples/data/{f} differs from `crm generate --customers 2000 --years 5 --seed 42`"
        );
    }
    // The example data ships in the repository: all of it under 2 MB.
    let dir = crate::util::data("transactions.csv");
    let total: u64 = std::fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    assert!(total < 2_000_000, "examples/data holds {total} bytes");
}
