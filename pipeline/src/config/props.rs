//! Property tests of `study.toml` parsing (issue 14): whatever the text, a typed error naming the
//! file or a checked study, never a panic; a parsed study written back reads the same.
//! `NAVETTE_FUZZ_CASES` sets the cases of each property (`./dev fuzz`).

use std::path::Path;

use proptest::prelude::*;

use super::*;

const DEMO: &str = include_str!("../../../datasets/demo/study.toml");

fn parse(text: &str) -> Result<Study, ConfigError> {
    let r = Study::from_toml(text, Path::new("/studies/x"), "fuzz/study.toml");
    if let Err(e) = &r {
        assert!(matches!(e, ConfigError::Parse { .. } | ConfigError::Invalid { .. }), "{e:?}");
        assert!(e.to_string().contains("fuzz/study.toml"), "{e}");
    }
    r
}

/// Pieces of TOML and of the demo's own keys, spliced into the demo study.
fn snippet() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("[".to_owned()),
        Just("]]".to_owned()),
        Just("\"".to_owned()),
        Just("'''".to_owned()),
        Just("\n[method]\n".to_owned()),
        Just("\nk_anonymity = -1\n".to_owned()),
        Just("\nfrom = 2026-02-30\n".to_owned()),
        Just(" = { a = [1, {b = 2}] }".to_owned()),
        Just("1e999".to_owned()),
        Just("nan".to_owned()),
        Just("\u{0}".to_owned()),
        Just("é".to_owned()),
        "[a-z_.=\\[\\]{}\"', 0-9\n-]{0,16}",
    ]
}

fn config(default: u32) -> ProptestConfig {
    crate::fuzz_config(default)
}

proptest! {
    #![proptest_config(config(256))]

    /// Any text at all.
    #[test]
    fn any_text_is_a_study_or_an_error_naming_the_file(text in any::<String>()) {
        let _ = parse(&text);
    }

    /// The demo study with a piece cut out and another put in, anywhere.
    #[test]
    fn an_edited_demo_study_is_a_study_or_an_error(
        at in any::<prop::sample::Index>(), cut in 0usize..40, put in snippet(),
    ) {
        let mut text = DEMO.to_owned();
        let mut i = at.index(text.len() + 1);
        while !text.is_char_boundary(i) { i -= 1; }
        let mut j = (i + cut).min(text.len());
        while !text.is_char_boundary(j) { j -= 1; }
        text.replace_range(i..j, &put);
        let _ = parse(&text);
    }

    /// An override of any key to any value (`--set`).
    #[test]
    fn any_override_is_applied_or_refused(key in "[a-z_]{1,12}(\\.[a-z_]{1,12}){0,2}", value in "[^\n]{0,20}") {
        let study = parse(DEMO).unwrap();
        if let Err(e) = study.with_overrides(&[format!("{key}={value}")]) {
            prop_assert!(e.to_string().contains("fuzz/study.toml"), "{}", e);
        }
    }
}

#[test]
fn a_parsed_study_written_back_reads_the_same() {
    let study = parse(DEMO).unwrap();
    let text = toml::to_string(&study.config).unwrap();
    let again = parse(&text).unwrap();
    assert_eq!(toml::to_string(&again.config).unwrap(), text);
    // And the same values as the demo file itself.
    let demo: toml::Value = toml::from_str(DEMO).unwrap();
    let written: toml::Value = toml::from_str(&text).unwrap();
    assert_eq!(demo["study"]["name"], written["study"]["name"]);
    assert_eq!(demo["method"]["max_visit_hours"], written["method"]["max_visit_hours"]);
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    // A megabyte of brackets, inside the size limit of a study.toml.
    for (open, close) in [("[", "]"), ("{a=", "}")] {
        let depth = 100_000;
        let text = format!("{}\nx = {}1{}\n", DEMO, open.repeat(depth), close.repeat(depth));
        assert!(parse(&text).is_err());
    }
}

#[test]
fn an_oversized_or_binary_study_toml_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("study.toml");
    let mut big = DEMO.to_owned();
    big.push_str(&format!("# {}\n", "x".repeat(MAX_CONFIG_BYTES as usize)));
    std::fs::write(&path, &big).unwrap();
    let e = Study::load(&path).unwrap_err();
    let source = std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default();
    assert!(e.to_string().contains("study.toml") && source.contains("1 MiB limit of a study.toml"), "{e}: {source}");
    std::fs::write(&path, b"[study]\nname = \"\xff\"\n").unwrap();
    let e = Study::load(&path).unwrap_err();
    let source = std::error::Error::source(&e).map(|s| s.to_string()).unwrap_or_default();
    assert!(source.contains("not UTF-8"), "{source}");
}
