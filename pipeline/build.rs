//! Lets the `navette` binary and tests find the prebuilt DuckDB library without
//! LD_LIBRARY_PATH: the library's folder goes into the executables' run path.

fn main() {
    println!("cargo:rerun-if-env-changed=DUCKDB_LIB_DIR");
    if let Ok(dir) = std::env::var("DUCKDB_LIB_DIR") {
        println!("cargo:rustc-link-arg=-Wl,-rpath,{dir}");
    }
}
