//! Tidy checks of the crate graph that `docs/architecture.md` promises: readers and writers meet
//! only at the IR, and each outside concern has one owner.

mod common;

/// `folio-*` crates a crate's `[dependencies]` name.
fn folio_dependencies(krate: &str) -> Vec<String> {
    let manifest =
        std::fs::read_to_string(common::root().join("crates").join(krate).join("Cargo.toml"))
            .unwrap();
    let mut in_dependencies = false;
    let mut deps = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_dependencies = line == "[dependencies]";
            continue;
        }
        if in_dependencies {
            let name = line.split(['.', '=', ' ']).next().unwrap_or_default();
            if name == "folio" || name.starts_with("folio-") {
                deps.push(name.to_owned());
            }
        }
    }
    deps.sort();
    deps
}

/// Crates whose `[dependencies]` name the given external crate.
fn crates_depending_on(external: &str) -> Vec<String> {
    let mut users = Vec::new();
    for entry in std::fs::read_dir(common::root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        let dependencies = manifest.split("[dependencies]").nth(1).unwrap_or_default();
        let dependencies = dependencies.split("\n[").next().unwrap_or_default();
        if dependencies
            .lines()
            .any(|line| line.trim().split(['.', '=', ' ']).next() == Some(external))
        {
            users.push(dir.file_name().unwrap().to_string_lossy().into_owned());
        }
    }
    users.sort();
    users
}

#[test]
fn dependencies_point_one_way() {
    assert!(
        folio_dependencies("folio-ir").is_empty(),
        "folio-ir depends on nothing of ours"
    );
    for reader_or_writer in ["folio-storage", "folio-passes", "folio-pdf"] {
        assert_eq!(
            folio_dependencies(reader_or_writer),
            ["folio-ir"],
            "{reader_or_writer} meets others only at the IR"
        );
    }
    assert_eq!(
        folio_dependencies("folio"),
        ["folio-ir", "folio-passes", "folio-pdf", "folio-storage"]
    );
    assert_eq!(
        folio_dependencies("folio-server"),
        ["folio"],
        "the service depends only on the façade"
    );
    assert_eq!(
        folio_dependencies("folio-cli"),
        ["folio", "folio-server"],
        "the CLI depends only on the façade (and the service, for `folio serve`)"
    );
}

#[test]
fn one_crate_knows_each_outside_format() {
    // The CLI's `check --coverage` reads storage bodies itself, on purpose: a measure of the
    // reader must not go through it (docs/coverage.md).
    assert_eq!(
        crates_depending_on("quick-xml"),
        ["folio-cli", "folio-storage"],
        "only the reader (and the coverage measure) knows XML"
    );
    for typst in ["typst", "typst-pdf", "typst-layout", "typst-kit"] {
        assert_eq!(
            crates_depending_on(typst),
            ["folio-pdf"],
            "only the writer knows Typst"
        );
    }
    assert_eq!(
        crates_depending_on("clap"),
        ["folio-cli"],
        "only the CLI knows the command line"
    );
}
