//! Output: the warehouse tables (Parquet, DuckDB and the SQL views every figure comes from).

pub mod warehouse;
