//! Lets the `navette` binary and tests find the prebuilt DuckDB library without
//! LD_LIBRARY_PATH: the library's folder goes into the executables' run path.
//!
//! Also names the files this package reads from outside its folder (the end-to-end tests in
//! `../tests`, the data embedded from `../datasets` and `../docs`): cargo records those by
//! absolute path, so with the build cache shared between clones (`~/.cache/navette/target`) a
//! clone would otherwise reuse a test binary built from another clone's copy of them, and
//! changing them here would rebuild nothing. Paths given here are taken from this clone's
//! package folder each time.

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    for outside in ["../tests", "../datasets", "../docs"] {
        println!("cargo:rerun-if-changed={outside}");
    }
    if let Ok(dir) = std::env::var("DUCKDB_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
