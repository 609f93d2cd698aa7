//! The warehouse: output tables (pseudonymous ids, no home coordinates, no names of people) written
//! as Parquet, then loaded into DuckDB with the SQL views every report figure comes from.
//!
//! Invariant: only this module knows the table layout; `views.sql` is the only place figures are
//! aggregated.

use std::path::Path;

use polars::prelude::*;

use crate::config::{MethodConfig, ParquetLayout};
use crate::input::clock;
use crate::input::ingest::Inputs;
use crate::input::quality::{PairingCounts, Reject};
use crate::method::constants;
use crate::method::factors::FactorSet;
use crate::method::scenario::Scenario;
use crate::privacy;
use crate::schema;

/// Warehouse schema version (`run_info.schema_version`, `run.json`). Bumped when a table or view
/// loses, renames or retypes a column or changes its grain or meaning; adding a table, a view or
/// a column at the end leaves queries written for the previous version working and does not.
/// History in `docs/warehouse.md`.
pub const SCHEMA_VERSION: u32 = 7;

/// The SQL views, applied after the tables are loaded.
pub const VIEWS_SQL: &str = include_str!("views.sql");

/// Everything the warehouse is built from. The legs, day impacts and potential are the tables'
/// own: each is freed once its table is built (the visits and center days stay with the caller,
/// scenarios start from them).
pub struct Tables<'a> {
    /// Inputs (ids, attributes).
    pub inputs: &'a Inputs,
    /// Pseudonymous id per employee index.
    pub pids: &'a [String],
    /// Visits frame from `visits::pair_visits`.
    pub visits: &'a DataFrame,
    /// Center days from `visits::center_days`.
    pub days: &'a DataFrame,
    /// Legs from `impact::legs`.
    pub legs: DataFrame,
    /// Day impacts from `impact::day_impacts`.
    pub impacts: DataFrame,
    /// Per-employee potential from `potential::employee_potential`.
    pub potential: DataFrame,
    /// The factor set used.
    pub factors: &'a FactorSet,
    /// Pairing-rule counts.
    pub pairing: &'a PairingCounts,
    /// The base run's method options.
    pub method: &'a MethodConfig,
    /// Scenarios computed beside the base run (see `scenario`).
    pub scenarios: &'a [Scenario],
    /// `[energy]`: the energy lines' parameters (`energy_parameters`).
    pub energy: &'a crate::method::energy::EnergyConfig,
    /// One-row run info frame.
    pub run_info: DataFrame,
    /// Estimate bands frame.
    pub bands: DataFrame,
}

/// `names[idx]` per row, as a string column that shares the bytes of the (small) list of names:
/// a row costs one 16-byte view, no string is copied per row (an id column of millions of rows
/// points into one buffer of 100,000 pseudonyms). Null indexes give nulls.
fn take_names(column: &str, idx: &UInt32Chunked, names: &StringChunked) -> PolarsResult<Column> {
    Ok(names.take(idx)?.with_name(column.into()).into_column())
}

/// The id lists [`with_ids`] takes from, built once per run.
#[derive(Clone)]
pub struct Ids {
    pids: StringChunked,
    company_of: StringChunked,
    site_ids: StringChunked,
    /// Each employee's rank in pseudonym order: sorting on it sorts by pseudonym.
    pid_rank: Vec<u32>,
    /// Each employee's company (index into `company_ids`).
    company: Vec<u32>,
    company_ids: Vec<String>,
}

impl Ids {
    /// Pseudonyms (`pids`, one per employee index), the company id of every employee, site ids.
    pub fn new(i: &Inputs, pids: &[String]) -> Ids {
        Ids {
            pids: StringChunked::from_iter_values("employee_pid".into(), pids.iter().map(String::as_str)),
            company_of: StringChunked::from_iter_values(
                "company_id".into(),
                i.employees.iter().map(|e| i.companies[e.company].company_id.as_str()),
            ),
            site_ids: StringChunked::from_iter_values("site_id".into(), i.sites.iter().map(|s| s.site_id.as_str())),
            pid_rank: pid_ranks(pids),
            company: i.employees.iter().map(|e| e.company as u32).collect(),
            company_ids: i.companies.iter().map(|c| c.company_id.clone()).collect(),
        }
    }

    /// Ids of employees with pseudonyms `pids`, of companies `company` (index into `company_ids`),
    /// and of sites `site_ids`.
    #[cfg(test)]
    fn for_tests(pids: &[String], company: &[u32], company_ids: &[&str], site_ids: &[&str]) -> Ids {
        let name = |c: u32| company_ids[c as usize];
        Ids {
            pids: StringChunked::from_iter_values("employee_pid".into(), pids.iter().map(String::as_str)),
            company_of: StringChunked::from_iter_values("company_id".into(), company.iter().map(|c| name(*c))),
            site_ids: StringChunked::from_iter_values("site_id".into(), site_ids.iter().copied()),
            pid_rank: pid_ranks(pids),
            company: company.to_vec(),
            company_ids: company_ids.iter().map(|c| (*c).to_owned()).collect(),
        }
    }

    /// Each employee's rank in pseudonym order (by employee index): the order of every table's
    /// rows (`scenario::Base::employee_order`).
    pub fn pid_ranks(&self) -> &[u32] {
        &self.pid_rank
    }
}

/// Each employee's rank in the order of their pseudonyms.
fn pid_ranks(pids: &[String]) -> Vec<u32> {
    let mut by_pid: Vec<u32> = (0..pids.len() as u32).collect();
    by_pid.sort_unstable_by(|a, b| pids[*a as usize].cmp(&pids[*b as usize]));
    let mut pid_rank = vec![0u32; pids.len()];
    for (rank, emp) in by_pid.into_iter().enumerate() {
        pid_rank[emp as usize] = rank as u32;
    }
    pid_rank
}

/// The order of the rows of a frame with an `employee` column by pseudonym, then by the columns
/// `then` (of the frame's height, integers; nulls first), on numeric keys: no string is compared,
/// and only the keys are sorted, not the frame. Every table sorted so has keys that no two rows
/// share, so any sort gives this order.
///
/// The rows are first counted out by the employee's rank in pseudonym order (one pass, no
/// comparison), then each employee's few rows are sorted by `then`: a general multi-column sort
/// of the 5 M visits of the country study was most of the time the output tables took to build
/// (issue 13). `pid_order_reference` in the tests is that sort.
fn pid_order(df: &DataFrame, ids: &Ids, then: Vec<Column>) -> PolarsResult<IdxCa> {
    let rows = df.height();
    let then: Vec<Vec<i64>> = then
        .iter()
        .map(|c| -> PolarsResult<Vec<i64>> {
            let c = c.cast(&DataType::Int64)?;
            Ok(c.i64()?.iter().map(|v| v.unwrap_or(i64::MIN)).collect())
        })
        .collect::<PolarsResult<_>>()?;
    // Bucket 0 holds the rows without an employee (first, as nulls sort).
    let bucket: Vec<usize> =
        df.column("employee")?.u32()?.iter().map(|e| e.map_or(0, |e| ids.pid_rank[e as usize] as usize + 1)).collect();
    let mut start = vec![0usize; ids.pid_rank.len() + 2];
    for &b in &bucket {
        start[b + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut next = start.clone();
    let mut order = vec![0 as IdxSize; rows];
    for (row, &b) in bucket.iter().enumerate() {
        order[next[b]] = row as IdxSize;
        next[b] += 1;
    }
    for w in start.windows(2) {
        order[w[0]..w[1]].sort_unstable_by(|&a, &b| {
            then.iter()
                .map(|k| k[a as usize].cmp(&k[b as usize]))
                .find(|o| o.is_ne())
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    }
    Ok(IdxCa::from_vec("row".into(), order))
}

/// The rows `rows` of `df` in the order `order` (the rows `order[rows]`): a row group of a table
/// whose order [`pid_order`] gave.
fn take_range(df: &DataFrame, order: &IdxCa, rows: std::ops::Range<usize>) -> PolarsResult<DataFrame> {
    df.take(&order.slice(rows.start as i64, rows.len()))
}

fn with_ids(df: &DataFrame, ids: &Ids) -> PolarsResult<DataFrame> {
    let mut out = df.clone();
    if let Ok(emp) = df.column("employee") {
        let emp = emp.u32()?;
        out.with_column(take_names("employee_pid", emp, &ids.pids)?)?;
        out.with_column(take_names("company_id", emp, &ids.company_of)?)?;
        out = out.drop("employee")?;
    }
    for (idx_col, id_col) in [("site", "site_id"), ("main_site", "site_id")] {
        if let Ok(site) = df.column(idx_col) {
            out.with_column(take_names(id_col, site.u32()?, &ids.site_ids)?)?;
            out = out.drop(idx_col)?;
        }
    }
    if let Ok(day) = df.column("local_day") {
        let days = day.i32()?;
        // One label per day of the period, taken per row.
        let first = days.min().unwrap_or(0);
        let last = days.max().unwrap_or(0);
        let span = first..=last;
        let quarters = StringChunked::from_iter_values("quarter".into(), span.clone().map(clock::quarter_label));
        let months = StringChunked::from_iter_values(
            "month".into(),
            span.map(|d| clock::day_date(d).format("%Y-%m").to_string()),
        );
        let idx: UInt32Chunked = days.iter().map(|d| d.map(|d| (d - first) as u32)).collect();
        out.with_column(day.cast(&DataType::Date)?.with_name("date".into()))?;
        out.with_column(take_names("quarter", &idx, &quarters)?)?;
        out.with_column(take_names("month", &idx, &months)?)?;
        out = out.drop("local_day")?;
    }
    Ok(out)
}

fn reorder(df: DataFrame, first: &[&str]) -> PolarsResult<DataFrame> {
    let names: Vec<PlSmallStr> = df.get_column_names().into_iter().cloned().collect();
    let mut order: Vec<PlSmallStr> =
        first.iter().filter(|f| names.iter().any(|n| n == *f)).map(|f| (*f).into()).collect();
    order.extend(names.into_iter().filter(|n| !first.contains(&n.as_str())));
    df.select(order)
}

/// Rows of `day_impacts` from day impacts in the table's order (by pseudonym and day): ids, dates,
/// `presence_h`.
fn impacts_rows(impacts: DataFrame, ids: &Ids) -> PolarsResult<DataFrame> {
    reorder(
        with_ids(&impacts, ids)?
            .lazy()
            .with_column((col("presence_s").cast(DataType::Float64) / lit(3600.0)).alias("presence_h"))
            .collect()?,
        &["employee_pid", "company_id", "site_id", "date", "quarter", "month"],
    )
}

/// Rows of one scenario in `scenario_day_impacts`: its day impacts (already sorted by pseudonym
/// and day) as in `day_impacts`, the `scenario` column first.
fn scenario_part(name: &str, impacts: DataFrame, ids: &Ids) -> PolarsResult<DataFrame> {
    let mut part = impacts_rows(impacts, ids)?;
    let names = StringChunked::from_iter_values("scenario".into(), std::iter::once(name));
    let zeros = UInt32Chunked::full("scenario".into(), 0, part.height());
    part.with_column(take_names("scenario", &zeros, &names)?)?;
    reorder(part, &["scenario", "employee_pid", "company_id", "site_id", "date", "quarter", "month"])
}

/// The row ranges of the row groups a table of `rows` rows held in one chunk is written in
/// ([`parquet_writer`]: polars cuts it in `rows / ROW_GROUP_ROWS` groups of equal size, the last
/// one taking the rest), so that a table written a row group at a time gets the same groups.
pub fn row_groups(rows: usize) -> Vec<std::ops::Range<usize>> {
    let groups = rows / ROW_GROUP_ROWS;
    if groups <= 1 {
        return if rows == 0 { Vec::new() } else { std::iter::once(0..rows).collect() };
    }
    let size = rows / groups;
    (0..groups).map(|g| g * size..if g + 1 == groups { rows } else { (g + 1) * size }).collect()
}

/// `scenario_day_impacts` with no rows (no scenario, or none with a center day): the columns of
/// `day_impacts` after `scenario`.
fn empty_scenario_table(day_impacts: &DataFrame) -> PolarsResult<DataFrame> {
    let mut empty = day_impacts.clear();
    empty.with_column(Column::new("scenario".into(), Vec::<&str>::new()))?;
    reorder(empty, &["scenario"])
}

/// A table written as it was computed: its columns (a frame with no rows) and its rows, or `None`
/// when it got no row.
pub type WrittenTable = Option<(DataFrame, usize)>;

/// What [`ScenarioRows`] wrote: `scenario_day_impacts` (see [`WrittenTable`]) and the table
/// `scenario_totals` the scenario rows add up to (not yet written).
pub struct ScenariosWritten {
    /// `scenario_day_impacts`: its columns and number of rows, or `None` when it got no row.
    pub rows: WrittenTable,
    /// `scenario_totals`, whole (no row when no scenario had rows).
    pub totals: DataFrame,
}

/// `scenario_day_impacts`, written to Parquet as the scenarios are computed, a row group at a
/// time, so that memory holds a few row groups of scenario rows and not a scenario's (or all of
/// them: with 7 scenarios the table is two thirds of the rows written). The table is sorted by
/// scenario name, pseudonym and date: the scenarios must come in name order, each one's rows in
/// pseudonym and day order, cut as [`row_groups`] cuts them ([`ScenarioRows::write`] refuses
/// another order).
///
/// The rows are written on a thread of their own while the caller computes the next row group,
/// each row group's columns encoded side by side ([`RowGroupEncoder`]). One file is one Parquet
/// writer that each row group is appended to (the same rows, values and row groups as a table of
/// one chunk per scenario written whole); in the Hive layout a scenario's rows are gathered and
/// written in folders of their own (`scenario=<name>/…`) once its last row group comes.
pub struct ScenarioRows {
    send: Option<std::sync::mpsc::SyncSender<RowGroup>>,
    thread: Option<std::thread::JoinHandle<anyhow::Result<ScenariosWritten>>>,
    /// The last scenario handed over, and whether its last row group came.
    last: Option<(String, bool)>,
    ids: std::sync::Arc<Ids>,
}

/// A row group of a scenario's rows, handed to [`ScenarioRows`]' thread.
struct RowGroup {
    scenario: String,
    /// The rows, with their ids (`scenario_part`).
    part: DataFrame,
    /// Their `employee`, `local_day` and `main_site`, the keys of their groups in `scenario_totals`.
    keys: [Column; 3],
    last: bool,
}

impl ScenarioRows {
    /// Rows to be written into the Parquet folder `dir` in `layout`, their ids taken from `ids`,
    /// the pages of columns equal to the base run's taken from `base`; nothing is created until a
    /// scenario with rows comes.
    pub fn new(dir: &Path, layout: ParquetLayout, ids: Ids, base: BasePages) -> anyhow::Result<ScenarioRows> {
        use anyhow::Context;
        // No buffer: a row group is handed over once the previous one is written.
        let (send, receive) = std::sync::mpsc::sync_channel::<RowGroup>(0);
        let mut writer = ScenarioWriter {
            dir: dir.to_owned(),
            layout,
            writer: None,
            columns: None,
            rows: 0,
            totals: Vec::new(),
            adding: None,
            gathered: Vec::new(),
            base,
            group: 0,
        };
        let ids = std::sync::Arc::new(ids);
        let writer_ids = ids.clone();
        let thread = std::thread::Builder::new()
            .name("navette-scenario-rows".into())
            .spawn(move || {
                for group in receive {
                    writer.write(group, &writer_ids)?;
                }
                writer.finish()
            })
            .context("cannot start the thread that writes scenario_day_impacts")?;
        Ok(ScenarioRows { send: Some(send), thread: Some(thread), last: None, ids })
    }

    /// Hands over a row group of scenario `name`: its day impacts (as `impact::day_impacts` then
    /// `rebound::apply` give them, sorted by pseudonym and day), the rows of one of the
    /// [`row_groups`] of the scenario's rows; `last`: the scenario's last. Waits while the
    /// previous row group is being written. Scenarios come in name order, each one's row groups
    /// in order; a scenario with no rows is not handed over.
    pub fn write(&mut self, name: &str, impacts: DataFrame, last: bool) -> anyhow::Result<()> {
        match &self.last {
            Some((open, false)) => {
                anyhow::ensure!(open == name, "scenario {name:?} written before the last rows of {open:?}")
            }
            Some((done, true)) => {
                anyhow::ensure!(
                    done.as_str() < name,
                    "scenario {name:?} written after {done:?}: they come in name order"
                )
            }
            None => {}
        }
        self.last = Some((name.to_owned(), last));
        // The ids are taken here, on the caller's thread, while the writer encodes the previous
        // row group (it has the totals and the encoding to do).
        let keys = [
            impacts.column("employee")?.clone(),
            impacts.column("local_day")?.clone(),
            impacts.column("main_site")?.clone(),
        ];
        let mut part = scenario_part(name, impacts, &self.ids)?;
        part.rechunk_mut_par();
        let send = self.send.as_ref().expect("sender kept until finish");
        if send.send(RowGroup { scenario: name.to_owned(), part, keys, last }).is_err() {
            // The writer stopped on an error: its result says which.
            self.join()?;
            anyhow::bail!("the thread that writes scenario_day_impacts stopped");
        }
        Ok(())
    }

    /// Waits for the last rows and ends the file. Returns the table with no rows (its columns)
    /// and its number of rows, or `None` when no scenario had rows (the table is then written
    /// whole, empty, by the caller), and the rows of `scenario_totals`.
    pub fn finish(mut self) -> anyhow::Result<ScenariosWritten> {
        if let Some((name, false)) = &self.last {
            anyhow::bail!("scenario {name:?}: its last rows were not written");
        }
        self.join()
    }

    fn join(&mut self) -> anyhow::Result<ScenariosWritten> {
        drop(self.send.take());
        match self.thread.take().map(|t| t.join()) {
            Some(Ok(result)) => result,
            Some(Err(panic)) => std::panic::resume_unwind(panic),
            None => anyhow::bail!("the thread that writes scenario_day_impacts was already joined"),
        }
    }
}

/// The state of [`ScenarioRows`]'s thread.
struct ScenarioWriter {
    dir: std::path::PathBuf,
    layout: ParquetLayout,
    writer: Option<(polars::io::parquet::write::BatchedWriter<std::io::BufWriter<std::fs::File>>, RowGroupEncoder)>,
    /// The table's columns (no rows), from the first scenario with rows.
    columns: Option<DataFrame>,
    rows: usize,
    /// The rows of `scenario_totals` of the scenarios written.
    totals: Vec<TotalRow>,
    /// The sums of the scenario being written.
    adding: Option<ScenarioTotals>,
    /// Hive layout: the rows of the scenario being written, written once its last rows come.
    gathered: Vec<DataFrame>,
    /// The base run's `day_impacts` pages, and the row group of the scenario being written.
    base: BasePages,
    group: usize,
}

impl ScenarioWriter {
    fn write(&mut self, group: RowGroup, ids: &Ids) -> anyhow::Result<()> {
        use anyhow::Context;
        let RowGroup { scenario: name, part, keys, last } = group;
        let started = std::time::Instant::now();
        let adding = self.adding.get_or_insert_with(|| ScenarioTotals::new(&name, ids));
        if self.columns.is_none() {
            let columns: Vec<&str> = part.get_column_names().into_iter().map(|c| c.as_str()).collect();
            schema::check("scenario_day_impacts", &columns)?;
            self.columns = Some(part.clear());
        }
        self.rows += part.height();
        adding.add(&keys, &part, ids)?;
        drop(keys);
        let added_ms = started.elapsed().as_millis() as u64;
        if last {
            let adding = self.adding.take().expect("made above");
            self.totals.extend(adding.rows());
        }
        if self.layout == ParquetLayout::Hive {
            self.gathered.push(part);
            if last {
                let mut gathered = std::mem::take(&mut self.gathered).into_iter();
                let mut all = gathered.next().expect("a row group was gathered above");
                for part in gathered {
                    all.vstack_mut_owned(part)?;
                }
                let dir = self.dir.join("scenario_day_impacts");
                hive_split(&all, hive_partitions("scenario_day_impacts"), &|folder, mut rows| {
                    write_one(&dir.join(folder).join("part-0.parquet"), &mut rows, false)
                })?;
            }
            return Ok(());
        }
        let path = self.dir.join("scenario_day_impacts.parquet");
        if self.writer.is_none() {
            std::fs::create_dir_all(&self.dir).with_context(|| format!("cannot create {}", self.dir.display()))?;
            let file = std::fs::File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
            let writer = parquet_writer(std::io::BufWriter::new(file)).batched(part.schema())?;
            self.writer = Some((writer, RowGroupEncoder::new(part.schema())?));
        }
        let (writer, encoder) = self.writer.as_mut().expect("writer created above");
        let group = self.group;
        self.group = if last { 0 } else { group + 1 };
        let pages = encoder.encode(&part, group, Some(&mut self.base))?;
        drop(part);
        writer
            .write_row_group(pages.rows, &pages.columns)
            .map_err(|e| anyhow::anyhow!(e).context(format!("cannot write {}", path.display())))?;
        self.base.keep(group, pages, true);
        tracing::debug!(scenario = name, added_ms, ms = started.elapsed().as_millis() as u64, "scenario rows written");
        Ok(())
    }

    fn finish(self) -> anyhow::Result<ScenariosWritten> {
        if let Some((writer, _)) = &self.writer {
            writer.finish().map_err(|e| anyhow::anyhow!(e).context("cannot write scenario_day_impacts.parquet"))?;
        }
        Ok(ScenariosWritten {
            rows: self.columns.map(|c| (c, self.rows)),
            totals: scenario_totals_table(&self.totals)?,
        })
    }
}

/// A row group encoded: its rows and each column's compressed pages.
struct EncodedRowGroup {
    rows: u64,
    columns: Vec<Vec<polars_parquet::write::CompressedPage>>,
    /// Per column: its name and fingerprint, when it has one, and whether its pages came from
    /// the [`BasePages`].
    fingerprints: Vec<Option<(String, u128, bool)>>,
}

/// The encoded pages of the base run's `day_impacts`, by column and row group, with a fingerprint
/// of each column chunk's values: a scenario with the same center days has the same rows and row
/// groups, and most of its columns (ids, dates, modes, and the figures its options leave alone)
/// have the same values, so their pages are the base run's (issue 13: encoding was most of the
/// time of the scenario rows). Written by [`write_tables`], read by [`ScenarioRows`].
///
/// A fingerprint is a 128-bit xxh3 hash of the chunk's type, length, validity and value bytes
/// (views and data buffers for text), seeded at random per run: equal values under another layout
/// only miss the reuse; different values would need a hash collision, which no input can aim at
/// without the seed.
#[derive(Default)]
pub struct BasePages {
    seed: u64,
    chunks: std::collections::HashMap<(String, usize), (u128, Vec<polars_parquet::write::CompressedPage>)>,
}

impl BasePages {
    /// No pages yet, with a fresh seed.
    fn new() -> BasePages {
        use std::hash::{BuildHasher, Hasher};
        let seed = std::collections::hash_map::RandomState::new().build_hasher().finish();
        BasePages { seed, chunks: std::collections::HashMap::new() }
    }

    /// Keeps the pages of the fingerprinted columns of row group `group`; with `only_reused`, of
    /// those taken from here (what a scenario's row group gives back).
    fn keep(&mut self, group: usize, encoded: EncodedRowGroup, only_reused: bool) {
        for (pages, fingerprint) in encoded.columns.into_iter().zip(encoded.fingerprints) {
            if let Some((name, fingerprint, reused)) = fingerprint
                && (reused || !only_reused)
            {
                let mut pages = pages;
                if !reused {
                    // A data page's buffer was reserved at the compressor's bound, about the
                    // uncompressed size: kept as is, the pages would hold the whole table's size.
                    // Copied rather than shrunk in place, which would leave the rest of each
                    // large block pinned between kept pages.
                    for page in &mut pages {
                        if let polars_parquet::write::CompressedPage::Data(page) = page {
                            let buffer = page.slice_mut().to_mut();
                            *buffer = buffer.as_slice().to_vec();
                        }
                    }
                }
                self.chunks.insert((name, group), (fingerprint, pages));
            }
        }
    }
}

/// A fingerprint of the values of `array` as the Parquet encoder reads them (see [`BasePages`]),
/// or `None` for a type not fingerprinted (always encoded).
fn fingerprint(array: &dyn polars_arrow::array::Array, seed: u64) -> Option<u128> {
    use polars_arrow::array::{BooleanArray, PrimitiveArray, Utf8ViewArray};
    let mut h = xxhash_rust::xxh3::Xxh3::with_seed(seed);
    h.update(format!("{:?}", array.dtype()).as_bytes());
    h.update(&(array.len() as u64).to_le_bytes());
    let bits = |h: &mut xxhash_rust::xxh3::Xxh3, bitmap: &polars_arrow::bitmap::Bitmap| {
        let (bytes, offset, len) = bitmap.as_slice();
        h.update(&(offset as u64).to_le_bytes());
        h.update(&(len as u64).to_le_bytes());
        h.update(bytes);
    };
    match array.validity() {
        None => h.update(&[0]),
        Some(validity) => {
            h.update(&[1]);
            bits(&mut h, validity);
        }
    }
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<PrimitiveArray<f64>>() {
        h.update(bytemuck::cast_slice(a.values().as_slice()));
    } else if let Some(a) = any.downcast_ref::<PrimitiveArray<i64>>() {
        h.update(bytemuck::cast_slice(a.values().as_slice()));
    } else if let Some(a) = any.downcast_ref::<PrimitiveArray<i32>>() {
        h.update(bytemuck::cast_slice(a.values().as_slice()));
    } else if let Some(a) = any.downcast_ref::<PrimitiveArray<u32>>() {
        h.update(bytemuck::cast_slice(a.values().as_slice()));
    } else if let Some(a) = any.downcast_ref::<BooleanArray>() {
        bits(&mut h, a.values());
    } else if let Some(a) = any.downcast_ref::<Utf8ViewArray>() {
        // A view holds a short value itself, a longer one's place in the data buffers.
        h.update(bytemuck::cast_slice(a.views().as_slice()));
        for buffer in a.data_buffers().iter() {
            h.update(&(buffer.len() as u64).to_le_bytes());
            h.update(buffer.as_slice());
        }
    } else {
        return None;
    }
    Some(h.digest128())
}

/// Encodes row groups as [`parquet_writer`] does, each column of a row group on a thread of its
/// own. polars' own writer, even "parallel", only makes the columns' page iterators side by side:
/// the pages are encoded and compressed one after the other as the file is written. The pages
/// are written in column order, so the file has the bytes of [`parquet_writer`]'s (a test holds
/// it).
struct RowGroupEncoder {
    fields: Vec<polars_parquet::write::ParquetType>,
    encodings: Vec<Vec<polars_parquet::write::Encoding>>,
    options: polars_parquet::write::WriteOptions,
}

impl RowGroupEncoder {
    /// An encoder of frames of `schema`, with [`parquet_writer`]'s options.
    fn new(schema: &Schema) -> PolarsResult<RowGroupEncoder> {
        use polars_parquet::write::{StatisticsOptions, Version, WriteOptions, to_parquet_schema};
        let arrow = schema.to_arrow(CompatLevel::newest());
        let parquet = to_parquet_schema(&arrow)?;
        Ok(RowGroupEncoder {
            fields: parquet.fields().to_vec(),
            encodings: polars::io::parquet::write::get_encodings(&arrow).to_vec(),
            // `ParquetWriter::materialize_options` of `parquet_writer`'s settings.
            options: WriteOptions {
                statistics: StatisticsOptions::default(),
                compression: PARQUET_COMPRESSION.into(),
                version: Version::V1,
                data_page_size: None,
            },
        })
    }

    /// The pages of `df`, one row group (its columns each of one chunk), the `group`-th of its
    /// table. With `base`, its columns are fingerprinted and a column whose fingerprint is that of
    /// the same column and row group in `base` takes its pages from there (to be given back with
    /// [`BasePages::keep`] once written).
    fn encode(&self, df: &DataFrame, group: usize, mut base: Option<&mut BasePages>) -> PolarsResult<EncodedRowGroup> {
        use polars_parquet::read::ParquetError;
        use polars_parquet::write::{Compressor, array_to_columns};
        use rayon::prelude::*;
        let mut batches = df.iter_chunks(CompatLevel::newest(), false);
        let Some(batch) = batches.next() else {
            polars_bail!(ComputeError: "a row group with no rows");
        };
        polars_ensure!(batches.next().is_none(), ComputeError: "a row group of more than one chunk");
        let names = df.get_column_names();
        let seed = base.as_ref().map(|b| b.seed);
        let fingerprints: Vec<Option<u128>> =
            batch.columns().par_iter().map(|array| seed.and_then(|seed| fingerprint(array.as_ref(), seed))).collect();
        let mut known: Vec<Option<Vec<polars_parquet::write::CompressedPage>>> = Vec::with_capacity(names.len());
        for (name, fingerprint) in names.iter().zip(&fingerprints) {
            let key = (name.to_string(), group);
            known.push(match (fingerprint, base.as_deref_mut()) {
                (Some(f), Some(base)) if base.chunks.get(&key).is_some_and(|(g, _)| g == f) => {
                    base.chunks.remove(&key).map(|(_, pages)| pages)
                }
                _ => None,
            });
        }
        let reused: Vec<bool> = known.iter().map(Option::is_some).collect();
        let per_field: Vec<Vec<Vec<polars_parquet::write::CompressedPage>>> = batch
            .columns()
            .par_iter()
            .zip(known.into_par_iter())
            .zip(&self.fields)
            .zip(&self.encodings)
            .map(|(((array, known), field), encoding)| {
                if let Some(pages) = known {
                    return Ok(vec![pages]);
                }
                let leaves = array_to_columns(array, field.clone(), self.options, encoding)?;
                leaves
                    .into_iter()
                    .map(|pages| {
                        // As polars' writer does (`pages_iter_to_compressor`).
                        let pages = pages.map(|page| {
                            page.map_err(|e| ParquetError::FeatureNotSupported(format!("reraised in polars: {e}")))
                        });
                        Compressor::new(pages, self.options.compression, Vec::new())
                            .collect::<Result<Vec<_>, _>>()
                            .map_err(PolarsError::from)
                    })
                    .collect::<PolarsResult<Vec<_>>>()
            })
            .collect::<PolarsResult<_>>()?;
        let mut columns = Vec::with_capacity(per_field.len());
        let mut kept = Vec::with_capacity(per_field.len());
        for (j, leaves) in per_field.into_iter().enumerate() {
            // Only columns of one leaf (every table's) are kept by fingerprint.
            let one_leaf = leaves.len() == 1;
            for pages in leaves {
                columns.push(pages);
                kept.push(fingerprints[j].filter(|_| one_leaf).map(|f| (names[j].to_string(), f, reused[j])));
            }
        }
        Ok(EncodedRowGroup { rows: batch.len() as u64, columns, fingerprints: kept })
    }
}

/// Writes `df` as one Parquet file at `path`, a row group at a time through [`RowGroupEncoder`]
/// ([`write_grouped`] of its slices: the bytes of [`write_one`]). A frame with no rows, or of more
/// than one chunk per column, goes through polars' writer (which would cut it in other row groups).
fn write_encoded(path: &Path, df: &mut DataFrame) -> anyhow::Result<()> {
    use anyhow::Context;
    if df.height() == 0 || df.columns().iter().any(|c| c.as_materialized_series().n_chunks() != 1) {
        let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        parquet_writer(std::io::BufWriter::new(file))
            .finish(df)
            .map_err(|e| anyhow::anyhow!(e).context(format!("cannot write {}", path.display())))?;
        return Ok(());
    }
    let df = &*df;
    write_grouped(path, df.height(), &|rows| Ok(df.slice(rows.start as i64, rows.len())), &|_| Ok(()), None)?;
    Ok(())
}

/// An output table for [`write_tables`]: a whole frame, or its number of rows and a function that
/// builds the rows of a range (a row group), so that the table is never held whole.
enum Table<'a> {
    Whole(DataFrame),
    Grouped(usize, Box<dyn Fn(std::ops::Range<usize>) -> PolarsResult<DataFrame> + 'a>),
}

/// Writes a table of `rows` rows as one Parquet file at `path`, a row group at a time: each one
/// built by `build` (the rows of its range), encoded through [`RowGroupEncoder`] and freed, its
/// pages kept in `pages` when given. The bytes are those of the whole table written by
/// polars' writer (the same row groups; a test holds it). Returns the table's
/// columns (a frame with no rows), which `check` accepts before any row is written.
fn write_grouped(
    path: &Path,
    rows: usize,
    build: &dyn Fn(std::ops::Range<usize>) -> PolarsResult<DataFrame>,
    check: &dyn Fn(&DataFrame) -> anyhow::Result<()>,
    mut pages: Option<&mut BasePages>,
) -> anyhow::Result<DataFrame> {
    use anyhow::Context;
    let cannot = |e: PolarsError| anyhow::anyhow!(e).context(format!("cannot write {}", path.display()));
    let groups = row_groups(rows);
    if groups.is_empty() {
        let mut df = build(0..0)?;
        check(&df)?;
        write_encoded(path, &mut df)?;
        return Ok(df.clear());
    }
    let mut columns = None;
    let mut writing = None;
    for (group, range) in groups.into_iter().enumerate() {
        let mut part = build(range)?;
        part.rechunk_mut_par();
        if writing.is_none() {
            check(&part)?;
            columns = Some(part.clear());
            let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
            let writer = parquet_writer(std::io::BufWriter::new(file)).batched(part.schema()).map_err(cannot)?;
            writing = Some((writer, RowGroupEncoder::new(part.schema())?));
        }
        let (writer, encoder) = writing.as_mut().expect("made above");
        let encoded = encoder.encode(&part, group, pages.as_deref_mut())?;
        drop(part);
        writer.write_row_group(encoded.rows, &encoded.columns).map_err(cannot)?;
        if let Some(pages) = pages.as_deref_mut() {
            pages.keep(group, encoded, false);
        }
    }
    let (writer, _) = writing.expect("one row group at least");
    writer.finish().map_err(cannot)?;
    Ok(columns.expect("set with the writer"))
}

/// The grains of `scenario_totals`, in the table's order: the whole period, quarter, company ×
/// quarter, site × quarter, commute mode × center mode (those of the `scenario_*` views).
const TOTAL_GRAINS: [&str; 5] = ["period", "quarter", "company_quarter", "site_quarter", "mode"];

/// The sums of `scenario_totals` (its columns, in order) and the `scenario_day_impacts` column each
/// one adds up.
const TOTAL_SUMS: [(&str, &str); 16] = [
    ("center_hours", "presence_h"),
    ("km_baseline", "km_baseline"),
    ("km_actual", "km_actual"),
    ("km_rebound", "km_rebound"),
    ("km_avoided", "km_avoided"),
    ("hours_avoided", "hours_avoided"),
    ("co2e_kg_baseline", "co2e_kg_baseline"),
    ("co2e_kg_actual", "co2e_kg_actual"),
    ("co2e_kg_rebound", "co2e_kg_rebound"),
    ("co2e_kg_avoided", "co2e_kg_avoided"),
    ("co2e_ttw_kg_baseline", "co2e_ttw_kg_baseline"),
    ("co2e_wtw_kg_baseline", "co2e_wtw_kg_baseline"),
    ("co2e_ttw_kg_actual", "co2e_ttw_kg_actual"),
    ("co2e_wtw_kg_actual", "co2e_wtw_kg_actual"),
    ("co2e_ttw_kg_avoided", "co2e_ttw_kg_avoided"),
    ("co2e_wtw_kg_avoided", "co2e_wtw_kg_avoided"),
];

/// One group of `scenario_totals` being added up.
struct TotalGroup {
    employees: i64,
    /// The last employee counted (rows come sorted by employee): its index, or a row of it in
    /// the reference adder of the tests.
    last: Option<usize>,
    /// Companies seen, one bit per company code.
    companies: Vec<u64>,
    center_days: i64,
    office_days_replaced: i64,
    sums: [f64; TOTAL_SUMS.len()],
    /// Whether each sum has a non-null value (DuckDB's `sum` of nulls only is null).
    summed: [bool; TOTAL_SUMS.len()],
}

impl TotalGroup {
    /// The group's row of `scenario_totals`, once added up.
    fn row(&self, scenario: &str, (grain, keys): GroupKeys) -> TotalRow {
        TotalRow {
            scenario: scenario.to_owned(),
            grain,
            keys,
            employees: self.employees,
            companies: self.companies.iter().map(|w| i64::from(w.count_ones())).sum(),
            center_days: self.center_days,
            office_days_replaced: self.office_days_replaced,
            sums: std::array::from_fn(|i| self.summed[i].then_some(self.sums[i])),
        }
    }
}

/// One row of `scenario_totals`.
struct TotalRow {
    scenario: String,
    grain: usize,
    /// quarter, company_id, site_id, commute_mode, center_mode (null where the grain has none).
    keys: [Option<String>; 5],
    employees: i64,
    companies: i64,
    center_days: i64,
    office_days_replaced: i64,
    sums: [Option<f64>; TOTAL_SUMS.len()],
}

/// A group of `scenario_totals`: its grain and keys (quarter, company_id, site_id, commute_mode,
/// center_mode; null where the grain has none).
type GroupKeys = (usize, [Option<String>; 5]);

/// The rows of `scenario_totals` of one scenario, added up a row group at a time as its rows of
/// `scenario_day_impacts` are written, group by group as the `scenario_*` views did over those
/// rows: the figures are summed in the rows' order (the order DuckDB's one-thread sums follow, so
/// the views give the same digits as when they read the rows), employees and companies counted
/// once per group. The groups' keys are taken from the rows' numeric columns (employee, day, site)
/// rather than from their ids, and each row's group looked up only when its keys differ from the
/// previous row's (an employee's rows follow each other).
struct ScenarioTotals {
    name: String,
    groups: Vec<TotalGroup>,
    /// Each group's grain and keys.
    keys: Vec<GroupKeys>,
    /// Group by grain and key codes (`index[grain][a][b]`, `u32::MAX` for none yet): the codes are
    /// small (quarters, companies, sites and modes met).
    index: [Vec<Vec<u32>>; TOTAL_GRAINS.len()],
    /// Quarter code by day; the labels by code (code 0: no day).
    quarter_of_day: std::collections::HashMap<i32, u32>,
    quarters: Vec<Option<String>>,
    /// The travel modes met, by code (code 0: none).
    modes: Vec<Option<String>>,
    /// Bitset words per group for the companies met.
    words: usize,
    /// The pseudonym rank of the last row added (rows come sorted by pseudonym).
    last_rank: Option<u32>,
}

impl ScenarioTotals {
    fn new(name: &str, ids: &Ids) -> ScenarioTotals {
        ScenarioTotals {
            name: name.to_owned(),
            groups: Vec::new(),
            keys: Vec::new(),
            index: Default::default(),
            quarter_of_day: std::collections::HashMap::new(),
            quarters: vec![None],
            modes: vec![None],
            words: ids.company_ids.len().div_ceil(64),
            last_rank: None,
        }
    }

    /// The code of a mode (`modes` grows with the modes met).
    fn mode_code(modes: &mut Vec<Option<String>>, mode: Option<&str>) -> u32 {
        match modes.iter().position(|m| m.as_deref() == mode) {
            Some(code) => code as u32,
            None => {
                modes.push(mode.map(str::to_owned));
                (modes.len() - 1) as u32
            }
        }
    }

    /// The group of `grain` with key codes `(a, b)`, made when first met.
    fn group(&mut self, grain: usize, (a, b): (u32, u32), ids: &Ids) -> u32 {
        let (a, b) = (a as usize, b as usize);
        let index = &mut self.index[grain];
        if index.len() <= a {
            index.resize_with(a + 1, Vec::new);
        }
        if index[a].len() <= b {
            index[a].resize(b + 1, u32::MAX);
        }
        if index[a][b] != u32::MAX {
            return index[a][b];
        }
        let group = self.groups.len() as u32;
        index[a][b] = group;
        let mut k: [Option<String>; 5] = Default::default();
        match grain {
            1 => k[0] = self.quarters[a].clone(),
            2 => {
                k[0] = self.quarters[a].clone();
                k[1] = (b > 0).then(|| ids.company_ids[b - 1].clone());
            }
            3 => {
                k[0] = self.quarters[a].clone();
                k[2] = if b > 0 { ids.site_ids.get(b - 1).map(str::to_owned) } else { None };
            }
            4 => (k[3], k[4]) = (self.modes[a].clone(), self.modes[b].clone()),
            _ => {}
        }
        self.keys.push((grain, k));
        self.groups.push(TotalGroup {
            employees: 0,
            last: None,
            companies: vec![0; self.words],
            center_days: 0,
            office_days_replaced: 0,
            sums: [0.0; TOTAL_SUMS.len()],
            summed: [false; TOTAL_SUMS.len()],
        });
        group
    }

    /// The quarter code of a day (`quarters` grows with the quarters met).
    fn quarter_code(&mut self, day: Option<i32>) -> u32 {
        let Some(d) = day else { return 0 };
        if let Some(code) = self.quarter_of_day.get(&d) {
            return *code;
        }
        let label = Some(clock::quarter_label(d));
        let code = match self.quarters.iter().position(|q| *q == label) {
            Some(code) => code as u32,
            None => {
                self.quarters.push(label);
                (self.quarters.len() - 1) as u32
            }
        };
        self.quarter_of_day.insert(d, code);
        code
    }

    /// Adds the rows of `part` (rows of `scenario_day_impacts`, after the previous ones), whose
    /// `employee`, `local_day` and `main_site` are `keys`.
    ///
    /// A row group's rows are read once in order: each row's group per grain (found again only
    /// when its key changes from the previous row's; text compared by its 16-byte views, equal
    /// views being equal text), then the sums a row at a time, each of its groups taking the
    /// row's figures in the rows' order (issue 13: adding up was half of the writer thread's time
    /// when each sum column went over the rows and grains on its own).
    fn add(&mut self, keys: &[Column; 3], part: &DataFrame, ids: &Ids) -> anyhow::Result<()> {
        let rows = part.height();
        let employee = keys[0].u32()?.rechunk();
        let day = keys[1].i32()?.rechunk();
        let site = keys[2].u32()?.rechunk();
        let commute = part.column("commute_mode")?.cast(&DataType::String)?;
        let center = part.column("center_mode")?.cast(&DataType::String)?;
        let (commute, center) = (commute.str()?.rechunk(), center.str()?.rechunk());
        let replaces = part.column("replaces_office_day")?.bool()?.rechunk();
        // A mode's view and validity per row: equal pairs are equal modes.
        let view_keys = |modes: &StringChunked| -> Vec<(bool, u128)> {
            modes
                .downcast_iter()
                .flat_map(|a| {
                    use polars_arrow::array::Array;
                    (0..a.len()).map(move |i| (a.is_valid(i), a.views()[i].as_u128()))
                })
                .collect()
        };
        let (commute_views, center_views) = (view_keys(&commute), view_keys(&center));
        let mut at: [Vec<u32>; TOTAL_GRAINS.len()] = std::array::from_fn(|_| Vec::with_capacity(rows));
        // The previous row's key codes and groups, per grain.
        let mut previous: [Option<((u32, u32), u32)>; TOTAL_GRAINS.len()] = Default::default();
        let (mut last_day, mut last_quarter) = (None, 0u32);
        let (mut last_modes, mut last_mode_codes) = (None, (0u32, 0u32));
        let rows_iter = employee.iter().zip(day.iter()).zip(site.iter()).zip(replaces.iter());
        for (row, (((emp, d), site), replaces)) in rows_iter.enumerate() {
            if let Some(e) = emp {
                let rank = ids.pid_rank[e as usize];
                anyhow::ensure!(
                    self.last_rank.is_none_or(|last| last <= rank),
                    "scenario {:?}: rows of scenario_day_impacts not sorted by employee",
                    self.name
                );
                self.last_rank = Some(rank);
            }
            if d != last_day {
                last_day = d;
                last_quarter = self.quarter_code(d);
            }
            let q = last_quarter;
            let c = emp.map_or(0, |e| ids.company[e as usize] + 1);
            let s = site.map_or(0, |s| s + 1);
            let modes = (commute_views[row], center_views[row]);
            if last_modes != Some(modes) {
                last_mode_codes = (
                    Self::mode_code(&mut self.modes, commute.get(row)),
                    Self::mode_code(&mut self.modes, center.get(row)),
                );
                last_modes = Some(modes);
            }
            let codes = [(0, 0), (q, 0), (q, c), (q, s), last_mode_codes];
            for grain in 0..TOTAL_GRAINS.len() {
                let group = match previous[grain] {
                    Some((key, group)) if key == codes[grain] => group,
                    _ => {
                        let group = self.group(grain, codes[grain], ids);
                        previous[grain] = Some((codes[grain], group));
                        group
                    }
                };
                at[grain].push(group);
                let g = &mut self.groups[group as usize];
                // count(DISTINCT employee_pid): an employee's rows follow each other.
                if let Some(e) = emp {
                    let new =
                        g.last.is_none_or(|last| last != e as usize && ids.pids.get(last) != ids.pids.get(e as usize));
                    if new {
                        g.employees += 1;
                        g.last = Some(e as usize);
                    }
                }
                if c > 0 {
                    let c = c as usize - 1;
                    g.companies[c / 64] |= 1 << (c % 64);
                }
                g.center_days += 1;
                g.office_days_replaced += i64::from(replaces == Some(true));
            }
        }
        // The sums, each group's in the rows' order: a row's figures added to each of its groups.
        let sums: Vec<Float64Chunked> = TOTAL_SUMS
            .iter()
            .map(|(_, source)| Ok(part.column(source)?.cast(&DataType::Float64)?.f64()?.rechunk().into_owned()))
            .collect::<PolarsResult<_>>()?;
        let values: Option<Vec<&[f64]>> = sums.iter().map(|c| c.cont_slice().ok()).collect();
        match values {
            // No null (the tables' figures have none): every group met has every sum.
            Some(values) => {
                for row in 0..rows {
                    let v: [f64; TOTAL_SUMS.len()] = std::array::from_fn(|i| values[i][row]);
                    for grain_at in &at {
                        let g = &mut self.groups[grain_at[row] as usize];
                        for (sum, v) in g.sums.iter_mut().zip(v) {
                            *sum += v;
                        }
                        g.summed = [true; TOTAL_SUMS.len()];
                    }
                }
            }
            None => {
                for (i, column) in sums.iter().enumerate() {
                    for (row, v) in column.iter().enumerate() {
                        let Some(v) = v else { continue };
                        for grain_at in &at {
                            let g = &mut self.groups[grain_at[row] as usize];
                            g.sums[i] += v;
                            g.summed[i] = true;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The scenario's rows of `scenario_totals`: by grain, each grain's groups in key order.
    fn rows(self) -> Vec<TotalRow> {
        let mut all: Vec<(GroupKeys, TotalGroup)> = self.keys.into_iter().zip(self.groups).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all.into_iter().map(|(keys, g)| g.row(&self.name, keys)).collect()
    }
}

/// The distinct values of a string column, as a code per row (its value's rank in `values`).
#[cfg(test)]
fn column_codes(df: &DataFrame, name: &str) -> PolarsResult<(Vec<u32>, Vec<Option<String>>)> {
    let column = df.column(name)?.cast(&DataType::String)?;
    let ca = column.str()?;
    let mut seen: std::collections::HashMap<Option<&str>, u32> = std::collections::HashMap::new();
    let codes = ca
        .iter()
        .map(|v| {
            let next = seen.len() as u32;
            *seen.entry(v).or_insert(next)
        })
        .collect();
    let mut values = vec![None; seen.len()];
    for (v, code) in seen {
        values[code as usize] = v.map(str::to_owned);
    }
    Ok((codes, values))
}

/// The reference [`ScenarioTotals`] is tested against: one scenario's rows of
/// `scenario_day_impacts` (`part`, sorted by employee and date) added up from their ids, as the
/// `scenario_*` views did.
#[cfg(test)]
fn scenario_totals_of(name: &str, part: &DataFrame) -> anyhow::Result<Vec<TotalRow>> {
    let keys = ["quarter", "company_id", "site_id", "commute_mode", "center_mode"];
    let coded: Vec<(Vec<u32>, Vec<Option<String>>)> =
        keys.iter().map(|k| column_codes(part, k)).collect::<PolarsResult<_>>()?;
    let n = |k: usize| coded[k].1.len();
    let (quarters, companies) = (n(0), n(1));
    // Dense group numbers per grain: its keys' codes, mixed radix.
    let sizes = [1, quarters, companies * quarters, n(2) * quarters, n(3) * n(4)];
    let offsets: Vec<usize> = sizes.iter().scan(0, |at, s| Some(std::mem::replace(at, *at + s))).collect();
    let mut groups: Vec<Option<TotalGroup>> = (0..sizes.iter().sum()).map(|_| None).collect();
    let pid_column = part.column("employee_pid")?.cast(&DataType::String)?;
    let pids: Vec<Option<&str>> = pid_column.str()?.iter().collect();
    let replaces: Vec<Option<bool>> = part.column("replaces_office_day")?.bool()?.iter().collect();
    let words = companies.div_ceil(64);
    // Each row's group in each grain; the counts on the way.
    let mut at: [Vec<u32>; TOTAL_GRAINS.len()] = Default::default();
    for row in 0..part.height() {
        anyhow::ensure!(
            row == 0 || pids[row - 1] <= pids[row],
            "scenario {name:?}: rows of scenario_day_impacts not sorted by employee"
        );
        let code = |k: usize| coded[k].0[row] as usize;
        let (q, c) = (code(0), code(1));
        let index = [0, q, c * quarters + q, code(2) * quarters + q, code(3) * n(4) + code(4)];
        for (grain, index) in index.iter().enumerate() {
            let group = offsets[grain] + index;
            at[grain].push(group as u32);
            let g = groups[group].get_or_insert_with(|| TotalGroup {
                employees: 0,
                last: None,
                companies: vec![0; words],
                center_days: 0,
                office_days_replaced: 0,
                sums: [0.0; TOTAL_SUMS.len()],
                summed: [false; TOTAL_SUMS.len()],
            });
            // count(DISTINCT employee_pid): an employee's rows follow each other.
            if pids[row].is_some() && g.last.is_none_or(|last| pids[last] != pids[row]) {
                g.employees += 1;
                g.last = Some(row);
            }
            if coded[1].1[c].is_some() {
                g.companies[c / 64] |= 1 << (c % 64);
            }
            g.center_days += 1;
            g.office_days_replaced += i64::from(replaces[row] == Some(true));
        }
    }
    // The sums, a column at a time, each group's in the rows' order.
    for (i, (_, source)) in TOTAL_SUMS.iter().enumerate() {
        let column = part.column(source)?.cast(&DataType::Float64)?;
        for (row, v) in column.f64()?.iter().enumerate() {
            let Some(v) = v else { continue };
            for grain_at in &at {
                let g = groups[grain_at[row] as usize].as_mut().expect("every row's groups are made above");
                g.sums[i] += v;
                g.summed[i] = true;
            }
        }
    }
    let mut rows = Vec::new();
    for (grain, (&offset, &size)) in offsets.iter().zip(&sizes).enumerate() {
        let mut of_grain: Vec<TotalRow> = Vec::new();
        for index in 0..size {
            let Some(g) = groups[offset + index].take() else { continue };
            let key = |k: usize, code: usize| coded[k].1[code].clone();
            let mut keys: [Option<String>; 5] = Default::default();
            match grain {
                1 => keys[0] = key(0, index),
                2 => (keys[0], keys[1]) = (key(0, index % quarters), key(1, index / quarters)),
                3 => (keys[0], keys[2]) = (key(0, index % quarters), key(2, index / quarters)),
                4 => (keys[3], keys[4]) = (key(3, index / n(4)), key(4, index % n(4))),
                _ => {}
            }
            of_grain.push(g.row(name, (grain, keys)));
        }
        of_grain.sort_by(|a, b| a.keys.cmp(&b.keys));
        rows.extend(of_grain);
    }
    Ok(rows)
}

/// The `scenario_totals` table of the rows added up (in scenario name order).
fn scenario_totals_table(rows: &[TotalRow]) -> PolarsResult<DataFrame> {
    let key = |k: usize| rows.iter().map(|r| r.keys[k].as_deref()).collect::<Vec<_>>();
    let mut columns = vec![
        Column::new("scenario".into(), rows.iter().map(|r| r.scenario.as_str()).collect::<Vec<_>>()),
        Column::new("grain".into(), rows.iter().map(|r| TOTAL_GRAINS[r.grain]).collect::<Vec<_>>()),
        Column::new("quarter".into(), key(0)),
        Column::new("company_id".into(), key(1)),
        Column::new("site_id".into(), key(2)),
        Column::new("commute_mode".into(), key(3)),
        Column::new("center_mode".into(), key(4)),
        Column::new("employees_active".into(), rows.iter().map(|r| r.employees).collect::<Vec<_>>()),
        Column::new("companies_active".into(), rows.iter().map(|r| r.companies).collect::<Vec<_>>()),
        Column::new("center_days".into(), rows.iter().map(|r| r.center_days).collect::<Vec<_>>()),
        Column::new("office_days_replaced".into(), rows.iter().map(|r| r.office_days_replaced).collect::<Vec<_>>()),
    ];
    for (i, (name, _)) in TOTAL_SUMS.iter().enumerate() {
        columns.push(Column::new((*name).into(), rows.iter().map(|r| r.sums[i]).collect::<Vec<_>>()));
    }
    DataFrame::new(rows.len(), columns)
}

/// The columns of the table macro `scenario_impact_base` (those of the view of the same name
/// before schema 7).
const SCENARIO_DAY_COLUMNS: &str = "employee_pid, company_id, site_id, date, quarter, month, commute_mode, center_mode, \
     replaces_office_day, presence_h, km_baseline, km_actual, km_rebound, km_avoided, hours_baseline, hours_actual, \
     hours_rebound, hours_avoided, co2e_kg_baseline, co2e_kg_actual, co2e_kg_rebound, co2e_kg_avoided, \
     co2e_ttw_kg_baseline, co2e_wtw_kg_baseline, co2e_ttw_kg_actual, co2e_wtw_kg_actual, \
     co2e_ttw_kg_avoided, co2e_wtw_kg_avoided";

/// The table macro `scenario_impact_base(parquet_dir)`: every scenario's center days, base
/// (`day_impacts`) and the variants (`scenario_day_impacts`, read from the run's Parquet folder
/// `parquet_dir` in the run's `layout`; a relative path is read from DuckDB's working folder).
pub fn scenario_days_macro(layout: ParquetLayout) -> String {
    let variants = match layout {
        ParquetLayout::Single => "read_parquet(parquet_dir || '/scenario_day_impacts.parquet')".to_owned(),
        ParquetLayout::Hive => {
            let types: Vec<String> =
                hive_partitions("scenario_day_impacts").iter().map(|k| format!("'{k}': VARCHAR")).collect();
            format!(
                "read_parquet(parquet_dir || '/scenario_day_impacts/**/*.parquet', hive_partitioning = true, \
                 hive_types = {{{}}})",
                types.join(", ")
            )
        }
    };
    format!(
        "CREATE MACRO scenario_impact_base(parquet_dir) AS TABLE\n\
         SELECT 'base' AS scenario, {SCENARIO_DAY_COLUMNS} FROM day_impacts\n\
         UNION ALL\n\
         SELECT scenario, {SCENARIO_DAY_COLUMNS} FROM {variants};\n"
    )
}

/// One row per scenario, the base run first: the options in force.
fn scenarios_table(t: &Tables<'_>) -> PolarsResult<DataFrame> {
    let mut rows: Vec<(&str, String, &MethodConfig, &str)> =
        vec![("base", String::new(), t.method, t.factors.version.as_str())];
    for sc in t.scenarios {
        rows.push((sc.name.as_str(), sc.sets.join("; "), &sc.method, sc.factor_set_version.as_str()));
    }
    let estimate = |m: &MethodConfig| {
        if m.estimate.is_empty() { String::new() } else { serde_json::to_string(&m.estimate).unwrap_or_default() }
    };
    df!(
        "scenario" => rows.iter().map(|r| r.0).collect::<Vec<_>>(),
        "overrides" => rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        "boundary" => rows.iter().map(|r| r.2.boundary.code()).collect::<Vec<_>>(),
        "factor_set" => rows.iter().map(|r| r.2.factor_set.as_str()).collect::<Vec<_>>(),
        "factor_set_version" => rows.iter().map(|r| r.3).collect::<Vec<_>>(),
        "min_hours_office_day" => rows.iter().map(|r| r.2.min_hours_office_day).collect::<Vec<_>>(),
        "max_visit_hours" => rows.iter().map(|r| r.2.max_visit_hours).collect::<Vec<_>>(),
        "duplicate_window_s" => rows.iter().map(|r| r.2.duplicate_window_s).collect::<Vec<_>>(),
        "open_visit_hours" => rows.iter().map(|r| r.2.open_visit_hours).collect::<Vec<_>>(),
        "carpool_occupancy" => rows.iter().map(|r| r.2.carpool_occupancy).collect::<Vec<_>>(),
        "rebound_share" => rows.iter().map(|r| r.2.rebound_share).collect::<Vec<_>>(),
        "estimate_bands" => rows.iter().map(|r| estimate(r.2)).collect::<Vec<_>>(),
    )
}

/// The output tables in the warehouse's order (that of `run.json`): every table [`write_tables`]
/// returns, `home_cells` last.
const TABLE_ORDER: [&str; 21] = [
    "run_info",
    "sites",
    "companies",
    "employees",
    "visits",
    "site_day_peak",
    "center_days",
    "legs",
    "day_impacts",
    "employee_potential",
    "scenarios",
    "scenario_day_impacts",
    "scenario_totals",
    "rejects",
    "file_counts",
    "pairing_counts",
    "factors",
    "estimate_bands",
    "method_constants",
    "energy_parameters",
    "home_cells",
];

/// An output table once written: its name, its columns (a frame with no rows: the DuckDB load
/// needs no more) and its number of rows.
pub type TableWritten = (&'static str, DataFrame, usize);

/// Builds every output table with deterministic row order and writes it as Parquet into `dir`
/// (see [`write_parquet`]), one table at a time: each computed frame is freed once its table is
/// written, and the three big tables (day impacts, center days, visits) are built and written a
/// row group at a time ([`write_grouped`]), so memory holds the visits and center days (kept for
/// the scenarios), one computed frame and a row group of its table, not every table and its
/// sorted copy (issue 13: 3.1 GiB on the 100,000-employee study in session 7; writing the big
/// tables whole took 0.3–0.4 GiB more than a row group at a time). Each table is checked against [`crate::schema`]
/// before it is written. `home_cells` is built by the caller (privacy).
///
/// `scenario_day_impacts` is not written: [`ScenarioRows`] writes it as the scenarios are
/// computed, or the caller writes it empty when none has rows; it is returned with its columns
/// (those of `day_impacts` after `scenario`) and no rows. `written_one` is called with each table
/// once written (its name and columns), to load it into DuckDB. Returns the tables in the
/// warehouse's order, and the pages of `day_impacts` when there are scenarios (single layout) for
/// [`ScenarioRows`].
pub fn write_tables(
    mut t: Tables<'_>,
    ids: &Ids,
    rejects: &[Reject],
    home_cells: DataFrame,
    (dir, layout): (&Path, ParquetLayout),
    written_one: &mut dyn FnMut(&'static str, &DataFrame) -> anyhow::Result<()>,
) -> anyhow::Result<(Vec<TableWritten>, BasePages)> {
    use anyhow::Context;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let key = ["employee_pid", "company_id", "site_id", "date", "quarter", "month"];
    let mut written: Vec<TableWritten> = Vec::with_capacity(TABLE_ORDER.len());
    // The base day impacts' pages, for the scenarios' rows (one file: the single layout).
    let keep_pages = !t.scenarios.is_empty() && layout == ParquetLayout::Single;
    let mut base_pages = BasePages::new();
    let mut write = |name: &'static str, table: Table<'_>| -> anyhow::Result<()> {
        let (columns, rows) = match table {
            // Columns encoded side by side (`write_table`): a table at a time leaves the other
            // core idle otherwise.
            Table::Whole(mut df) => {
                write_table(dir, name, &mut df, layout, true)?;
                (df.clear(), df.height())
            }
            Table::Grouped(rows, build) if layout == ParquetLayout::Hive && !hive_partitions(name).is_empty() => {
                let mut df = build(0..rows)?;
                write_table(dir, name, &mut df, layout, true)?;
                (df.clear(), rows)
            }
            Table::Grouped(rows, build) => {
                let pages = (keep_pages && name == "day_impacts").then_some(&mut base_pages);
                let check = |df: &DataFrame| -> anyhow::Result<()> {
                    let columns: Vec<&str> = df.get_column_names().into_iter().map(|c| c.as_str()).collect();
                    Ok(schema::check(name, &columns)?)
                };
                (write_grouped(&dir.join(format!("{name}.parquet")), rows, &*build, &check, pages)?, rows)
            }
        };
        written_one(name, &columns)?;
        written.push((name, columns, rows));
        Ok(())
    };
    // The largest tables first, each built and written a row group at a time from its computed
    // frame (ids taken, columns derived for the row group's rows only), the computed frame freed
    // once its table is written; the visits and center days stay for the scenarios.
    let impacts = std::mem::take(&mut t.impacts);
    let scenario_columns = empty_scenario_table(&impacts_rows(impacts.clear(), ids)?)?;
    let order = pid_order(&impacts, ids, vec![impacts.column("local_day")?.clone()])?;
    write(
        "day_impacts",
        Table::Grouped(impacts.height(), Box::new(|rows| impacts_rows(take_range(&impacts, &order, rows)?, ids))),
    )?;
    drop((impacts, order));
    let legs = with_ids(&std::mem::take(&mut t.legs), ids)?
        .sort(["employee_pid", "leg", "site_id"], SortMultipleOptions::default().with_nulls_last(false))?;
    write("legs", Table::Whole(reorder(legs, &key)?))?;
    let employee_potential = with_ids(&std::mem::take(&mut t.potential), ids)?
        .lazy()
        .rename(["site_id"], ["nearest_site_id"], true)
        .sort(["employee_pid"], SortMultipleOptions::default())
        .collect()?;
    write(
        "employee_potential",
        Table::Whole(reorder(employee_potential, &["employee_pid", "company_id", "nearest_site_id"])?),
    )?;
    let order = pid_order(t.days, ids, vec![t.days.column("local_day")?.clone()])?;
    write(
        "center_days",
        Table::Grouped(
            t.days.height(),
            Box::new(|rows| reorder(with_ids(&take_range(t.days, &order, rows)?, ids)?, &key)),
        ),
    )?;
    let visits = VisitRows::new(t.visits, &t.inputs.log_files, ids)?;
    write("visits", Table::Grouped(t.visits.height(), Box::new(|rows| visits.rows(rows, &key))))?;
    drop((order, visits));
    write("site_day_peak", Table::Whole(site_day_peak_table(t.visits, ids)?))?;
    write("employees", Table::Whole(employees_table(&t)?))?;
    write("run_info", Table::Whole(std::mem::take(&mut t.run_info)))?;
    write("sites", Table::Whole(sites_table(t.inputs)?))?;
    write("companies", Table::Whole(companies_table(t.inputs)?))?;
    write("scenarios", Table::Whole(scenarios_table(&t)?))?;
    write("rejects", Table::Whole(rejects_table(t.inputs, rejects)?))?;
    write("file_counts", Table::Whole(file_counts_table(t.inputs)?))?;
    write("pairing_counts", Table::Whole(pairing_table(t.pairing)?))?;
    write("factors", Table::Whole(factors_table(t.factors)?))?;
    write("estimate_bands", Table::Whole(std::mem::take(&mut t.bands)))?;
    write("method_constants", Table::Whole(method_constants()?))?;
    write("energy_parameters", Table::Whole(energy_parameters(t.energy)?))?;
    write("home_cells", Table::Whole(home_cells))?;
    written.push(("scenario_day_impacts", scenario_columns, 0));
    written.push(("scenario_totals", scenario_totals_table(&[])?, 0));
    written.sort_by_key(|(name, ..)| TABLE_ORDER.iter().position(|n| n == name));
    Ok((written, base_pages))
}

/// `sites`: one row per site, in `sites.csv` order.
fn sites_table(i: &Inputs) -> PolarsResult<DataFrame> {
    DataFrame::new(
        i.sites.len(),
        vec![
            Column::new("site_id".into(), i.sites.iter().map(|s| s.site_id.as_str()).collect::<Vec<_>>()),
            Column::new("name".into(), i.sites.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()),
            Column::new("lat".into(), i.sites.iter().map(|s| s.lat).collect::<Vec<_>>()),
            Column::new("lon".into(), i.sites.iter().map(|s| s.lon).collect::<Vec<_>>()),
            Column::new("municipality".into(), i.sites.iter().map(|s| s.municipality.as_deref()).collect::<Vec<_>>()),
            Column::new("workspaces".into(), i.sites.iter().map(|s| s.workspaces).collect::<Vec<_>>()),
            Column::new(
                "opened_on".into(),
                i.sites.iter().map(|s| s.opened_on.map(clock::day_number)).collect::<Vec<_>>(),
            )
            .cast(&DataType::Date)?,
        ],
    )
}

/// `companies`: one row per company, in `companies.csv` order.
fn companies_table(i: &Inputs) -> PolarsResult<DataFrame> {
    DataFrame::new(
        i.companies.len(),
        vec![
            Column::new("company_id".into(), i.companies.iter().map(|c| c.company_id.as_str()).collect::<Vec<_>>()),
            Column::new("name".into(), i.companies.iter().map(|c| c.name.as_str()).collect::<Vec<_>>()),
            Column::new("office_name".into(), i.companies.iter().map(|c| c.office_name.as_deref()).collect::<Vec<_>>()),
            Column::new("office_lat".into(), i.companies.iter().map(|c| c.office_lat).collect::<Vec<_>>()),
            Column::new("office_lon".into(), i.companies.iter().map(|c| c.office_lon).collect::<Vec<_>>()),
            Column::new(
                "package_hours_per_quarter".into(),
                i.companies.iter().map(|c| c.package_hours_per_quarter).collect::<Vec<_>>(),
            ),
        ],
    )
}

/// `employees`: one row per employee, by pseudonym; no HR id, name or home.
fn employees_table(t: &Tables<'_>) -> PolarsResult<DataFrame> {
    let i = t.inputs;
    let e = &i.employees;
    let employees = DataFrame::new(
        e.len(),
        vec![
            Column::new("employee_pid".into(), t.pids),
            Column::new(
                "company_id".into(),
                e.iter().map(|e| i.companies[e.company].company_id.as_str()).collect::<Vec<_>>(),
            ),
            Column::new("home_source".into(), e.iter().map(|e| e.home_source.code()).collect::<Vec<_>>()),
            Column::new("commute_mode".into(), e.iter().map(|e| e.commute_mode.code()).collect::<Vec<_>>()),
            Column::new("center_mode".into(), e.iter().map(|e| e.center_mode.code()).collect::<Vec<_>>()),
            Column::new("car_fuel".into(), e.iter().map(|e| e.car_fuel.code()).collect::<Vec<_>>()),
            Column::new("car_size".into(), e.iter().map(|e| e.car_size.code()).collect::<Vec<_>>()),
            Column::new("commute_occupancy".into(), e.iter().map(|e| e.commute_occupancy).collect::<Vec<_>>()),
            Column::new("own_office".into(), e.iter().map(|e| e.own_office).collect::<Vec<_>>()),
        ],
    )?
    .sort(["employee_pid"], SortMultipleOptions::default())?;
    Ok(employees)
}

/// `visits`: one row per visit, with the log file and line it was read from, by pseudonym, start,
/// file name and line; built a row group at a time ([`VisitRows::rows`]).
struct VisitRows<'a> {
    visits: &'a DataFrame,
    ids: &'a Ids,
    /// The table's order of the rows of `visits`.
    order: IdxCa,
    /// The log files' names, by file index.
    file_names: StringChunked,
}

impl<'a> VisitRows<'a> {
    fn new(visits: &'a DataFrame, file_names: &[String], ids: &'a Ids) -> PolarsResult<VisitRows<'a>> {
        // Sorted on numeric keys: the pseudonym's rank and the rank of the file's name.
        let mut by_name: Vec<usize> = (0..file_names.len()).collect();
        by_name.sort_by(|a, b| file_names[*a].cmp(&file_names[*b]));
        let mut name_rank = vec![0u32; file_names.len()];
        for (rank, file) in by_name.into_iter().enumerate() {
            name_rank[file] = rank as u32;
        }
        let file_rank: UInt32Chunked =
            visits.column("file")?.u32()?.iter().map(|f| f.map(|f| name_rank[f as usize])).collect();
        let order = pid_order(
            visits,
            ids,
            vec![
                visits.column("start_utc_s")?.clone(),
                file_rank.with_name("file_rank".into()).into_column(),
                visits.column("line")?.clone(),
            ],
        )?;
        let file_names = StringChunked::from_iter_values("source_file".into(), file_names.iter().map(String::as_str));
        Ok(VisitRows { visits, ids, order, file_names })
    }

    /// The rows `rows` of the table, its columns `key` first.
    fn rows(&self, rows: std::ops::Range<usize>, key: &[&str]) -> PolarsResult<DataFrame> {
        let mut visits = with_ids(&take_range(self.visits, &self.order, rows)?, self.ids)?;
        let files = visits.column("file")?.u32()?.clone();
        visits.with_column(take_names("source_file", &files, &self.file_names)?)?;
        visits.with_column(
            (visits.column("start_utc_s")?.as_materialized_series() * 1000)
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?
                .with_name("start_utc".into())
                .into_column(),
        )?;
        let visits = visits
            .drop_many(["file", "card", "start_utc_s"])
            .lazy()
            .with_column((col("duration_s").cast(DataType::Float64) / lit(3600.0)).alias("duration_h"))
            .rename(["line"], ["source_line"], true)
            .collect()?;
        reorder(visits, key)
    }
}

/// `site_day_peak`: per site and local date with a visit that credited time, the most visits in
/// progress at once, sorted by site id and date.
///
/// A sweep over each site-day's visit starts and ends in time order, a visit that ends when
/// another starts not overlapping it. It was a view over `visits` (one window over every start
/// and end of the study, sorted on one thread: 1.3 s of the 100,000-employee study's reports and
/// 2 s of the country study's, on their critical path); computed here from the visits in memory,
/// it is a table of the same name, columns and rows. `e2e::site_day_peak_is_the_former_view`
/// compares it with the view's SQL.
fn site_day_peak_table(visits: &DataFrame, ids: &Ids) -> PolarsResult<DataFrame> {
    let site = visits.column("site")?.u32()?;
    let day = visits.column("local_day")?.i32()?;
    let start = visits.column("start_local_sod")?.i64()?;
    let duration = visits.column("duration_s")?.i64()?;
    // Sites in id order.
    let mut by_id: Vec<u32> = (0..ids.site_ids.len() as u32).collect();
    by_id.sort_by(|a, b| ids.site_ids.get(*a as usize).cmp(&ids.site_ids.get(*b as usize)));
    let mut site_rank = vec![0u32; by_id.len()];
    for (rank, site) in by_id.iter().enumerate() {
        site_rank[*site as usize] = rank as u32;
    }
    // One integer per start and end: the site's rank, the day (from the first) and 2 × the second
    // of the day, + 1 for a start, so that in this order an end comes before a start at the same
    // second. A visit ends within 49 h of its day's midnight: 2 × t + 1 < 2^19.
    let first_day = day.min().unwrap_or(0);
    let mut events: Vec<u64> = Vec::with_capacity(2 * visits.height());
    for (((s, d), t0), dur) in site.iter().zip(day.iter()).zip(start.iter()).zip(duration.iter()) {
        let (Some(s), Some(d), Some(t0), Some(dur)) = (s, d, t0, dur) else { continue };
        if dur > 0 {
            let day_key = (u64::from(site_rank[s as usize]) << 44) | (((d - first_day) as u64) << 20);
            events.push(day_key | (2 * t0 + 1) as u64);
            events.push(day_key | (2 * (t0 + dur)) as u64);
        }
    }
    use rayon::prelude::*;
    events.par_sort_unstable();
    let (mut sites, mut dates, mut peaks) = (Vec::new(), Vec::new(), Vec::new());
    for site_day in events.chunk_by(|a, b| a >> 20 == b >> 20) {
        let (mut present, mut peak) = (0i64, 0i64);
        for event in site_day {
            present += if event & 1 == 1 { 1 } else { -1 };
            peak = peak.max(present);
        }
        let key = site_day[0] >> 20;
        sites.push(by_id[(key >> 24) as usize]);
        dates.push(first_day + (key & 0xFF_FFFF) as i32);
        peaks.push(peak);
    }
    let sites = UInt32Chunked::from_vec("site".into(), sites);
    DataFrame::new(
        dates.len(),
        vec![
            take_names("site_id", &sites, &ids.site_ids)?,
            Column::new("date".into(), dates).cast(&DataType::Date)?,
            Column::new("peak_occupancy".into(), peaks),
        ],
    )
}

/// `rejects`: every rejected row (past `MAX_LISTED_REJECTS` of a file and reason, one summary
/// row whose `rows` counts them); raw rows and quoted values of personal files withheld.
fn rejects_table(i: &Inputs, rejects: &[Reject]) -> PolarsResult<DataFrame> {
    let personal_files: Vec<&str> = i
        .ledger
        .files
        .iter()
        .filter(|f| privacy::PERSONAL_FILE_KINDS.contains(&f.kind.as_str()))
        .map(|f| f.file.as_str())
        .collect();
    let rejects_df = DataFrame::new(
        rejects.len(),
        vec![
            Column::new("file".into(), rejects.iter().map(|r| r.file.as_str()).collect::<Vec<_>>()),
            Column::new("line".into(), rejects.iter().map(|r| r.line).collect::<Vec<_>>()),
            Column::new("reason".into(), rejects.iter().map(|r| r.reason.code()).collect::<Vec<_>>()),
            Column::new(
                "detail".into(),
                rejects
                    .iter()
                    .map(|r| {
                        if personal_files.contains(&r.file.as_str()) {
                            privacy::redact(&r.detail)
                        } else {
                            r.detail.clone()
                        }
                    })
                    .collect::<Vec<_>>(),
            ),
            Column::new(
                "raw".into(),
                rejects
                    .iter()
                    .map(|r| if personal_files.contains(&r.file.as_str()) { None } else { Some(r.raw.as_str()) })
                    .collect::<Vec<_>>(),
            ),
            Column::new("rows".into(), rejects.iter().map(|r| r.rows).collect::<Vec<_>>()),
        ],
    )?;
    Ok(rejects_df)
}

/// `file_counts`: per input file, rows read = accepted + rejected.
fn file_counts_table(i: &Inputs) -> PolarsResult<DataFrame> {
    let f = &i.ledger.files;
    let file_counts = DataFrame::new(
        f.len(),
        vec![
            Column::new("file".into(), f.iter().map(|c| c.file.as_str()).collect::<Vec<_>>()),
            Column::new("kind".into(), f.iter().map(|c| c.kind.as_str()).collect::<Vec<_>>()),
            Column::new("sha256".into(), f.iter().map(|c| c.sha256.as_str()).collect::<Vec<_>>()),
            Column::new("rows_read".into(), f.iter().map(|c| c.read).collect::<Vec<_>>()),
            Column::new("rows_accepted".into(), f.iter().map(|c| c.accepted).collect::<Vec<_>>()),
            Column::new("rows_rejected".into(), f.iter().map(|c| c.rejected).collect::<Vec<_>>()),
            Column::new("delimiter".into(), f.iter().map(|c| c.delimiter.as_str()).collect::<Vec<_>>()),
        ],
    )?;
    Ok(file_counts)
}

/// `pairing_counts`: access events by pairing rule.
fn pairing_table(p: &PairingCounts) -> PolarsResult<DataFrame> {
    let pairing_rows: [(&str, u64); 8] = [
        ("events", p.events),
        ("duplicate_swipes", p.duplicate_swipes),
        ("visit_ins", p.visit_ins),
        ("visit_outs", p.visit_outs),
        ("orphan_outs", p.orphan_outs),
        ("missing_outs", p.missing_outs),
        ("over_midnight", p.over_midnight),
        ("over_cap", p.over_cap),
    ];
    let pairing = DataFrame::new(
        pairing_rows.len(),
        vec![
            Column::new("rule".into(), pairing_rows.iter().map(|r| r.0).collect::<Vec<_>>()),
            Column::new("events".into(), pairing_rows.iter().map(|r| r.1).collect::<Vec<_>>()),
        ],
    )?;
    Ok(pairing)
}

/// `factors`: the factor set in force, one row per factor.
fn factors_table(set: &FactorSet) -> PolarsResult<DataFrame> {
    let fr = &set.rows;
    let factors = DataFrame::new(
        fr.len(),
        vec![
            Column::new("factor_id".into(), (0..fr.len() as u32).collect::<Vec<_>>()),
            Column::new("factor_set".into(), vec![set.version.as_str(); fr.len()]),
            Column::new("mode".into(), fr.iter().map(|r| r.mode.as_str()).collect::<Vec<_>>()),
            Column::new("fuel".into(), fr.iter().map(|r| r.fuel.as_str()).collect::<Vec<_>>()),
            Column::new("size".into(), fr.iter().map(|r| r.size.as_str()).collect::<Vec<_>>()),
            Column::new("component".into(), fr.iter().map(|r| r.component.as_str()).collect::<Vec<_>>()),
            Column::new("value_kg".into(), fr.iter().map(|r| r.value_kg).collect::<Vec<_>>()),
            Column::new("unit".into(), fr.iter().map(|r| r.unit.as_str()).collect::<Vec<_>>()),
            Column::new("source".into(), fr.iter().map(|r| r.source.as_str()).collect::<Vec<_>>()),
            Column::new("year".into(), fr.iter().map(|r| r.year).collect::<Vec<_>>()),
            Column::new("note".into(), fr.iter().map(|r| r.note.as_str()).collect::<Vec<_>>()),
            Column::new("origin".into(), fr.iter().map(|r| r.origin.as_str()).collect::<Vec<_>>()),
        ],
    )?;
    Ok(factors)
}

/// `method::constants`: the published figures the views use, with their sources.
fn method_constants() -> PolarsResult<DataFrame> {
    named_values(constants::ALL.iter().map(|c| (c.name, c.value, c.unit, c.source)))
}

/// `method::energy`: the parameters of the optional energy lines, with their sources (written
/// even when `[energy]` is off, with `enabled` = 0, so the views always have their table).
fn energy_parameters(e: &crate::method::energy::EnergyConfig) -> PolarsResult<DataFrame> {
    let p = e.parameters();
    named_values(p.iter().map(|c| (c.name, c.value, c.unit, c.source.as_str())))
}

/// A `name, value, unit, source` table.
fn named_values<'a>(rows: impl Iterator<Item = (&'a str, f64, &'a str, &'a str)>) -> PolarsResult<DataFrame> {
    let (mut name, mut value, mut unit, mut source) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for (n, v, u, s) in rows {
        name.push(n);
        value.push(v);
        unit.push(u);
        source.push(s);
    }
    DataFrame::new(
        name.len(),
        vec![
            Column::new("name".into(), name),
            Column::new("value".into(), value),
            Column::new("unit".into(), unit),
            Column::new("source".into(), source),
        ],
    )
}

/// Partition columns of a table in the Hive layout (empty: the table stays one file).
pub fn hive_partitions(table: &str) -> &'static [&'static str] {
    match table {
        "visits" | "center_days" | "day_impacts" => &["quarter", "company_id"],
        "scenario_day_impacts" => &["scenario", "quarter", "company_id"],
        "legs" => &["company_id"],
        _ => &[],
    }
}

/// The order rows are stored in (every table is sorted in `output_tables`); used to read a
/// partitioned table back in the same order.
fn sort_order(table: &str) -> &'static str {
    match table {
        "visits" => "employee_pid, start_utc, source_file, source_line",
        "center_days" | "day_impacts" => "employee_pid, date",
        "scenario_day_impacts" => "scenario, employee_pid, date",
        "legs" => "employee_pid, leg, site_id NULLS FIRST",
        _ => "ALL",
    }
}

/// A partition value as a folder-name part: bytes other than ASCII letters, digits, `.`, `_` and
/// `-` are percent-encoded (`A/B` → `A%2FB`), as Hive, Spark, DuckDB and polars decode them.
pub fn hive_escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Rows per row group: polars' default, which `ParquetWriter::finish` uses.
const ROW_GROUP_ROWS: usize = 512 * 512;

/// The compression of every Parquet file.
const PARQUET_COMPRESSION: ParquetCompression = ParquetCompression::Zstd(None);

/// The one Parquet writer configuration: zstd, statistics on, single-threaded (so a file's bytes
/// do not depend on the threads), row groups of [`ROW_GROUP_ROWS`].
fn parquet_writer<W: std::io::Write>(w: W) -> ParquetWriter<W> {
    ParquetWriter::new(w)
        .with_compression(PARQUET_COMPRESSION)
        .with_row_group_size(Some(ROW_GROUP_ROWS))
        .set_parallel(false)
}

/// Writes one Parquet file; `parallel`: its columns encoded side by side ([`write_encoded`]; the
/// bytes of the single-threaded writer).
fn write_one(path: &Path, df: &mut DataFrame, parallel: bool) -> anyhow::Result<()> {
    use anyhow::Context;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).with_context(|| format!("cannot create {}", parent.display()))?;
    }
    if parallel {
        return write_encoded(path, df);
    }
    let file = std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    parquet_writer(std::io::BufWriter::new(file))
        .set_parallel(parallel)
        .finish(df)
        .map_err(|e| anyhow::anyhow!(e).context(format!("cannot write {}", path.display())))?;
    Ok(())
}

/// Writes one table into `dir` in `layout` (see [`write_parquet`]) once checked against
/// [`crate::schema`].
fn write_table(
    dir: &Path,
    name: &str,
    df: &mut DataFrame,
    layout: ParquetLayout,
    parallel: bool,
) -> anyhow::Result<()> {
    let columns: Vec<&str> = df.get_column_names().into_iter().map(|c| c.as_str()).collect();
    schema::check(name, &columns)?;
    let keys = hive_partitions(name);
    if layout == ParquetLayout::Hive && !keys.is_empty() && df.height() > 0 {
        hive_split(df, keys, &|folder, mut part| {
            write_one(&dir.join(name).join(folder).join("part-0.parquet"), &mut part, parallel)
        })
    } else {
        write_one(&dir.join(format!("{name}.parquet")), df, parallel)
    }
}

/// Splits a table into its Hive partitions and gives each to `each`: (folder relative to the
/// table's folder, rows without the partition columns); rows keep their order. The partitions
/// are taken by one thread per core, one at a time each (each written as taken, its bytes
/// independent of the others), so a large table (a scenario's 2.7 M rows on a 100,000-employee
/// study) is never held twice; the first error in sorted folder order is returned. Rows are
/// grouped by numbers, not by their text (a null value is the empty text, as in the folder name).
fn hive_split(
    df: &DataFrame,
    keys: &[&str],
    each: &(dyn Fn(String, DataFrame) -> anyhow::Result<()> + Sync),
) -> anyhow::Result<()> {
    use std::collections::HashMap;
    let columns: Vec<&StringChunked> = keys.iter().map(|k| df.column(k)?.str()).collect::<PolarsResult<_>>()?;
    // Each row's group, key by key: the group of its values so far and its next value's number
    // give its group with that value.
    let mut group: Vec<u32> = vec![0; df.height()];
    let mut first_row: Vec<usize> = vec![0];
    for c in &columns {
        let mut value: HashMap<&str, u32> = HashMap::new();
        let mut next: HashMap<(u32, u32), u32> = HashMap::new();
        let mut firsts = Vec::new();
        for (row, (g, v)) in group.iter_mut().zip(c.iter()).enumerate() {
            let seen = value.len() as u32;
            let v = *value.entry(v.unwrap_or("")).or_insert(seen);
            let seen = next.len() as u32;
            *g = *next.entry((*g, v)).or_insert_with(|| {
                firsts.push(row);
                seen
            });
        }
        first_row = firsts;
    }
    if columns.is_empty() {
        first_row.truncate(usize::from(df.height() > 0));
    }
    // The groups in folder order, and their rows (in row order) by counting.
    let text = |g: usize| -> Vec<&str> { columns.iter().map(|c| c.get(first_row[g]).unwrap_or("")).collect() };
    let mut order: Vec<usize> = (0..first_row.len()).collect();
    order.sort_by_cached_key(|&g| text(g));
    let mut start = vec![0usize; first_row.len() + 1];
    for &g in &group {
        start[g as usize + 1] += 1;
    }
    for g in 0..first_row.len() {
        start[g + 1] += start[g];
    }
    let mut rows: Vec<IdxSize> = vec![0; group.len()];
    let mut at = start.clone();
    for (row, &g) in group.iter().enumerate() {
        rows[at[g as usize]] = row as IdxSize;
        at[g as usize] += 1;
    }
    drop((group, at));
    let body = df.drop_many(keys.iter().copied());
    let take = |g: usize| -> anyhow::Result<()> {
        let folder: Vec<String> = keys.iter().zip(text(g)).map(|(k, v)| format!("{k}={}", hive_escape(v))).collect();
        let part = body.take(&IdxCa::from_slice("rows".into(), &rows[start[g]..start[g + 1]]))?;
        each(folder.join("/"), part)
    };
    // Plain threads, not rayon's: polars' own parallel work inside `take` and `each`, called from
    // a rayon worker of another pool, lets that worker steal the next partition while it waits,
    // nesting them until the stack overflows.
    let next = std::sync::atomic::AtomicUsize::new(0);
    // After an error no partition is started: those before it in folder order were, so the
    // first error in that order is still the one returned.
    let failed = std::sync::atomic::AtomicBool::new(false);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(order.len()).max(1);
    let mut done: Vec<(usize, anyhow::Result<()>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    while !failed.load(std::sync::atomic::Ordering::Relaxed) {
                        let at = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&g) = order.get(at) else { break };
                        let r = take(g);
                        failed.fetch_or(r.is_err(), std::sync::atomic::Ordering::Relaxed);
                        done.push((at, r));
                    }
                    done
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect()
    });
    done.sort_by_key(|&(at, _)| at);
    done.into_iter().try_for_each(|(_, r)| r)
}

/// Writes the tables into `dir` (zstd, statistics on, single-threaded so the bytes are identical
/// from run to run): one `<table>.parquet` per table, or in the Hive layout the tables of
/// [`hive_partitions`] as `<table>/<key>=<value>/…/part-0.parquet` (partition columns in the
/// folder names only, as Hive readers expect). A partitioned table with no rows stays one file.
pub fn write_parquet(
    dir: &Path,
    tables: &mut [(&'static str, DataFrame)],
    layout: ParquetLayout,
) -> anyhow::Result<()> {
    write_parquet_except(dir, tables, layout, &[])
}

/// [`write_parquet`] but for the tables named in `written`, already written (their frames may hold
/// no rows): `scenario_day_impacts` from [`ScenarioRows`].
pub fn write_parquet_except(
    dir: &Path,
    tables: &mut [(&'static str, DataFrame)],
    layout: ParquetLayout,
    written: &[&str],
) -> anyhow::Result<()> {
    use anyhow::Context;
    use rayon::prelude::*;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    for (name, df) in tables.iter() {
        let columns: Vec<&str> = df.get_column_names().into_iter().map(|c| c.as_str()).collect();
        schema::check(name, &columns)?;
    }
    // The files are written side by side (each one single-threaded, so its bytes do not depend on
    // the threads); the first error in table order is reported.
    let written: Vec<anyhow::Result<()>> = tables
        .par_iter_mut()
        .filter(|(name, _)| !written.contains(name))
        .map(|(name, df)| write_table(dir, name, df, layout, false))
        .collect();
    written.into_iter().collect()
}

/// DuckDB's memory limit while the warehouse is read for the reports (its buffer pool otherwise
/// grows to 80 % of the machine's memory with the blocks it has read).
pub const DUCKDB_MEMORY_LIMIT: &str = "1536MiB";

/// DuckDB's memory limit while the warehouse is loaded: the load runs beside the output tables
/// and the scenarios (issue 13: the whole run within 2 GiB). Loading a table on one thread needs
/// little: measured on the 100,000-employee study, two tables of 2.6 and 2.8 M rows loaded side by
/// side peaked at 596 MB under 1.5 GiB and 429 MB under 512 MiB in the same time. Since the
/// output tables are written a row group at a time, 256 MiB loads them in the same time as
/// 512 MiB (the run without scenarios, whose end waits for the load: 3.95–4.27 s against
/// 4.25–4.30 s) and lowers the run's peak from 1.78–1.87 to 1.56 GiB (with 7 scenarios).
const DUCKDB_LOAD_MEMORY_LIMIT: &str = "256MiB";

/// DuckDB's memory limit while tables of the Hive layout are loaded (each one sorted back into its
/// order, see [`WarehouseLoad::load`]).
const DUCKDB_SORTED_LOAD_MEMORY_LIMIT: &str = "512MiB";

/// The DuckDB storage format `warehouse.duckdb` is written in (DuckDB 1.5 and later read it).
pub const DUCKDB_STORAGE_VERSION: &str = "v1.5.0";

/// Connections that load tables side by side (one thread each: see [`WarehouseLoad`]).
const LOAD_CONNECTIONS: usize = 2;

/// One statement of the load: a whole table, or one part of a table loaded in parts.
struct Load {
    table: &'static str,
    sql: String,
    /// The part's place among the parts sent: parts are committed in that order (their rows then
    /// follow each other in the table as in the Parquet file).
    part: Option<usize>,
}

/// The column a table is loaded in parts by, one part per value (in value order), so a large
/// table is written on every connection. Only `scenario_day_impacts` was; since schema 7 the run
/// keeps it in Parquet and loads `scenario_totals` instead, so no table the run or `navette plan`
/// loads is split today (kept for a table that would need it).
fn load_parts_by(table: &str) -> Option<&'static str> {
    (table == "scenario_day_impacts").then_some("scenario")
}

/// Creates `warehouse.duckdb` at `path` from the Parquet files in `parquet_dir` (either layout;
/// partitioned tables are read back with their columns and rows in the order of the single-file
/// layout, so both layouts give the same warehouse), then the views `views_sql` (`navette plan`
/// writes its own tables and views): every table through a [`WarehouseLoad`], the largest first,
/// so the connections end together.
pub fn build_duckdb_with(
    path: &Path,
    parquet_dir: &Path,
    tables: &[(&'static str, DataFrame)],
    views_sql: &str,
) -> anyhow::Result<()> {
    let mut load = WarehouseLoad::open(path, parquet_dir)?;
    let mut by_size: Vec<(u64, &(&'static str, DataFrame))> =
        tables.iter().map(|t| (table_bytes(parquet_dir, t.0), t)).collect();
    by_size.sort_by_key(|(bytes, _)| std::cmp::Reverse(*bytes));
    for (_, (name, df)) in by_size {
        load.load(name, df)?;
    }
    load.finish(views_sql)
}

/// The State shared by the connections of a [`WarehouseLoad`].
#[derive(Default)]
struct LoadState {
    /// The next part to commit.
    next_part: usize,
    /// A load failed: the others stop (parts waiting for their turn are rolled back).
    failed: bool,
}

/// `warehouse.duckdb` being loaded from the Parquet files, a table at a time as each is written
/// (issue 13: the load runs while the next tables are built and written, and while the scenarios
/// are computed), on [`LOAD_CONNECTIONS`] connections side by side, each one loading a table on
/// one thread (`threads = 1`). Partitioned tables are read back with their columns and rows in the
/// order of the single-file layout, so both layouts give the same warehouse.
///
/// One thread a statement: on several, a `CREATE TABLE … AS` that keeps the insertion order writes
/// its rows twice (measured apart on the 100,000-employee study: `day_impacts`, 2.6 M rows, took
/// 9.5 s plus 10.7 s at the `CHECKPOINT` and 12.4 s of CPU; on one thread 8.0 s and 5.9 s of CPU
/// with nothing left for the checkpoint, and the file was a third smaller). A table loaded in parts
/// ([`load_parts_by`]) is created empty, then each part is inserted in a transaction of its own,
/// the transactions committed in part order, so its rows keep the order of the Parquet file.
pub struct WarehouseLoad {
    conn: duckdb::Connection,
    parquet_dir: std::path::PathBuf,
    send: Option<std::sync::mpsc::Sender<Load>>,
    workers: Vec<std::thread::JoinHandle<anyhow::Result<()>>>,
    state: std::sync::Arc<(std::sync::Mutex<LoadState>, std::sync::Condvar)>,
    parts_sent: usize,
    /// Whether a table of the Hive layout was sent (the limit then raised, see `load`).
    sorting: bool,
}

impl WarehouseLoad {
    /// Creates the DuckDB file at `path` and starts the connections; tables come from the Parquet
    /// files in `parquet_dir` (either layout).
    pub fn open(path: &Path, parquet_dir: &Path) -> anyhow::Result<WarehouseLoad> {
        use anyhow::Context;
        // DuckDB 1.5 still writes new files in the storage format of 0.10.2 unless told otherwise
        // (readable by older releases); the format of 1.5 compresses the same tables with less
        // work (issue 13, the 100,000-employee study: every table loaded in 7.6 s of CPU instead
        // of 10.5 s, the file 1 % smaller). The warehouse needs DuckDB 1.5 or later to be read,
        // as the notebooks pin it.
        let config = duckdb::Config::default().with("storage_compatibility_version", DUCKDB_STORAGE_VERSION)?;
        let conn = duckdb::Connection::open_with_flags(path, config)
            .with_context(|| format!("cannot create {}", path.display()))?;
        // DuckDB's buffer pool defaults to 80 % of the machine's memory and keeps the blocks of a
        // table of millions of rows it writes (issue 13: 3.7 GB for `scenario_day_impacts`); a
        // limit makes it let them go.
        conn.execute_batch(&format!("SET memory_limit = '{DUCKDB_LOAD_MEMORY_LIMIT}'; SET threads = 1;"))?;
        let (send, receive) = std::sync::mpsc::channel::<Load>();
        let receive = std::sync::Arc::new(std::sync::Mutex::new(receive));
        let state = std::sync::Arc::new((std::sync::Mutex::new(LoadState::default()), std::sync::Condvar::new()));
        let mut workers = Vec::with_capacity(LOAD_CONNECTIONS);
        for i in 0..LOAD_CONNECTIONS {
            let (conn, receive, state) = (conn.try_clone()?, receive.clone(), state.clone());
            let worker = std::thread::Builder::new()
                .name(format!("navette-duckdb-{i}"))
                .spawn(move || load_worker(conn, &receive, &state))
                .context("cannot start a thread that loads the warehouse")?;
            workers.push(worker);
        }
        Ok(WarehouseLoad {
            conn,
            parquet_dir: parquet_dir.to_owned(),
            send: Some(send),
            workers,
            state,
            parts_sent: 0,
            sorting: false,
        })
    }

    /// Loads table `name` (`df`: its columns; its rows are not read) from its Parquet file(s),
    /// which must be written; returns once the load is handed to a connection.
    pub fn load(&mut self, name: &'static str, df: &DataFrame) -> anyhow::Result<()> {
        use anyhow::Context;
        let quote = |p: &Path| -> anyhow::Result<String> {
            Ok(p.to_str().context("output path is not UTF-8")?.replace('\'', "''"))
        };
        let single = self.parquet_dir.join(format!("{name}.parquet"));
        // The rows of the table, in its order.
        let (select, order_by) = if single.exists() {
            (format!("SELECT * FROM read_parquet('{}')", quote(&single)?), String::new())
        } else {
            let keys = hive_partitions(name);
            let types: Vec<String> = keys.iter().map(|k| format!("'{k}': VARCHAR")).collect();
            let columns: Vec<String> = df.get_column_names().iter().map(|c| format!("\"{c}\"")).collect();
            let select = format!(
                "SELECT {} FROM read_parquet('{}', hive_partitioning = true, hive_types = {{{}}})",
                columns.join(", "),
                quote(&self.parquet_dir.join(name).join("**").join("*.parquet"))?,
                types.join(", "),
            );
            // A partitioned table is sorted back into its order as it is loaded: the sort needs
            // more than a plain load (under 256 MiB the 2.7 M day impacts of the 100,000-employee
            // study failed with "failed to pin block"; 512 MiB loads them).
            if !self.sorting {
                self.conn.execute_batch(&format!("SET memory_limit = '{DUCKDB_SORTED_LOAD_MEMORY_LIMIT}';"))?;
                self.sorting = true;
            }
            (select, format!(" ORDER BY {}", sort_order(name)))
        };
        let Some(by) = load_parts_by(name) else {
            return self.send(Load {
                table: name,
                sql: format!("CREATE TABLE {name} AS {select}{order_by};"),
                part: None,
            });
        };
        self.conn
            .execute_batch(&format!("CREATE TABLE {name} AS {select} LIMIT 0;"))
            .with_context(|| format!("cannot create table {name} in DuckDB"))?;
        let values: Vec<String> = self
            .conn
            .prepare(&format!("SELECT DISTINCT \"{by}\" FROM ({select}) ORDER BY 1"))?
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<Result<_, _>>()
            .with_context(|| format!("cannot read the values of {name}.{by}"))?;
        for value in values {
            let value = value.replace('\'', "''");
            let part = Some(self.parts_sent);
            self.parts_sent += 1;
            self.send(Load {
                table: name,
                sql: format!("INSERT INTO {name} {select} WHERE \"{by}\" = '{value}'{order_by};"),
                part,
            })?;
        }
        Ok(())
    }

    fn send(&mut self, load: Load) -> anyhow::Result<()> {
        let send = self.send.as_ref().expect("sender kept until finish");
        if send.send(load).is_err() {
            // Every connection stopped on an error: their results say which.
            self.join()?;
            anyhow::bail!("the warehouse load stopped");
        }
        Ok(())
    }

    fn join(&mut self) -> anyhow::Result<()> {
        drop(self.send.take());
        let results: Vec<anyhow::Result<()>> =
            self.workers.drain(..).map(|w| w.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))).collect();
        results.into_iter().collect()
    }

    /// Waits for every load, then creates the views and writes everything to the file.
    pub fn finish(mut self, views_sql: &str) -> anyhow::Result<()> {
        use anyhow::Context;
        self.join()?;
        anyhow::ensure!(!self.state.0.lock().expect("load state").failed, "the warehouse load stopped");
        self.conn.execute_batch(views_sql).context("cannot create the warehouse views")?;
        self.conn.execute_batch("CHECKPOINT;")?;
        Ok(())
    }
}

impl Drop for WarehouseLoad {
    fn drop(&mut self) {
        // Not finished (an error elsewhere): the connections stop once the loads sent are done.
        if !self.workers.is_empty() {
            self.state.0.lock().map(|mut s| s.failed = true).ok();
            self.state.1.notify_all();
            let _ = self.join();
        }
    }
}

/// A connection of a [`WarehouseLoad`]: takes the next load until none is left. A part is committed
/// once the parts before it are: no part waits on a later one, as parts are taken in their order.
/// On an error the others stop after the load at hand.
fn load_worker(
    conn: duckdb::Connection,
    receive: &std::sync::Mutex<std::sync::mpsc::Receiver<Load>>,
    state: &(std::sync::Mutex<LoadState>, std::sync::Condvar),
) -> anyhow::Result<()> {
    use anyhow::Context;
    let (lock, turn) = state;
    loop {
        let Ok(load) = receive.lock().expect("load queue").recv() else { return Ok(()) };
        if lock.lock().expect("load state").failed {
            return Ok(());
        }
        let result = (|| -> anyhow::Result<()> {
            let started = std::time::Instant::now();
            let Some(part) = load.part else {
                conn.execute_batch(&load.sql)?;
                tracing::debug!(table = load.table, ms = started.elapsed().as_millis() as u64, "loaded");
                return Ok(());
            };
            conn.execute_batch("BEGIN TRANSACTION;")?;
            conn.execute_batch(&load.sql)?;
            let mut s = lock.lock().expect("load state");
            while s.next_part != part && !s.failed {
                s = turn.wait(s).expect("load state");
            }
            if s.failed {
                // Another load failed (its error is the one returned): this part is rolled back.
                drop(s);
                conn.execute_batch("ROLLBACK;")?;
                return Ok(());
            }
            conn.execute_batch("COMMIT;")?;
            s.next_part += 1;
            turn.notify_all();
            tracing::debug!(table = load.table, part, ms = started.elapsed().as_millis() as u64, "loaded");
            Ok(())
        })();
        if let Err(e) = result {
            lock.lock().expect("load state").failed = true;
            turn.notify_all();
            return Err(e).with_context(|| format!("cannot load table {} into DuckDB", load.table));
        }
    }
}

/// The Parquet bytes of a table (its file or its Hive folder), to start the largest loads first.
fn table_bytes(parquet_dir: &Path, name: &str) -> u64 {
    let single = parquet_dir.join(format!("{name}.parquet"));
    if single.exists() { file_bytes(&single) } else { folder_bytes(&parquet_dir.join(name)) }
}

/// A file's size in bytes (0 when unknown: it only orders the loads).
fn file_bytes(path: &Path) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The bytes of the files under a folder (a table in the Hive layout).
fn folder_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() { folder_bytes(&path) } else { file_bytes(&path) }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::{Ids, pid_order};

    /// The general sort [`pid_order`] must agree with: the frame's keys sorted by polars.
    fn pid_order_reference(df: &DataFrame, ids: &Ids, then: Vec<Column>) -> PolarsResult<IdxCa> {
        let rows = df.height();
        let emp = df.column("employee")?.u32()?;
        let ranks: UInt32Chunked = emp.iter().map(|e| e.map(|e| ids.pid_rank[e as usize])).collect();
        let mut keys = vec![ranks.with_name("pid_rank".into()).into_column()];
        keys.extend(then);
        let by: Vec<PlSmallStr> = keys.iter().map(|c| c.name().clone()).collect();
        keys.push(Column::new("row".into(), (0..rows as IdxSize).collect::<Vec<IdxSize>>()));
        let sorted = DataFrame::new(rows, keys)?.sort(by, SortMultipleOptions::default())?;
        Ok(sorted.column("row")?.idx()?.clone())
    }

    #[test]
    fn site_day_peak_by_hand() {
        // Site S1, day 0: 08:00–10:00 and 10:00–12:00 touch (one at a time), 09:00–09:30 overlaps
        // the first (two), a visit credited no time is not present; day 1: one visit. Site S0
        // (listed second, first by id), day 0: three visits at once.
        let h = |hours: f64| (hours * 3600.0) as i64;
        let rows: [(u32, i32, i64, i64); 8] = [
            (0, 0, h(8.0), h(2.0)),
            (0, 0, h(10.0), h(2.0)),
            (0, 0, h(9.0), h(0.5)),
            (0, 0, h(9.2), 0),
            (0, 1, h(9.0), h(1.0)),
            (1, 0, h(9.0), h(3.0)),
            (1, 0, h(9.5), h(1.0)),
            (1, 0, h(10.0), h(0.25)),
        ];
        let visits = DataFrame::new(
            rows.len(),
            vec![
                Column::new("site".into(), rows.iter().map(|r| r.0).collect::<Vec<_>>()),
                Column::new("local_day".into(), rows.iter().map(|r| r.1).collect::<Vec<_>>()),
                Column::new("start_local_sod".into(), rows.iter().map(|r| r.2).collect::<Vec<_>>()),
                Column::new("duration_s".into(), rows.iter().map(|r| r.3).collect::<Vec<_>>()),
            ],
        )
        .unwrap();
        let ids = Ids::for_tests(&["p".to_owned()], &[0], &["C"], &["S1", "S0"]);
        let peak = super::site_day_peak_table(&visits, &ids).unwrap();
        let sites: Vec<&str> = peak.column("site_id").unwrap().str().unwrap().iter().map(Option::unwrap).collect();
        let days: Vec<i32> = peak.column("date").unwrap().date().unwrap().physical().into_no_null_iter().collect();
        let peaks: Vec<i64> = peak.column("peak_occupancy").unwrap().i64().unwrap().into_no_null_iter().collect();
        assert_eq!(sites, ["S0", "S1", "S1"]);
        assert_eq!(days, [0, 0, 1]);
        assert_eq!(peaks, [3, 2, 1]);
    }

    #[test]
    fn pid_order_is_the_general_sort() {
        // Pseudonyms out of employee order, several rows per employee in any order, negative
        // and null keys, and employees without rows.
        let pids: Vec<String> = (0..50u32).map(|i| format!("p{:03}", (i * 37) % 101)).collect();
        let ids = Ids::for_tests(&pids, &[0; 50], &["C"], &["S"]);
        let mut state = 7u64;
        let mut rand = |n: u64| {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 33) % n
        };
        for rows in [0usize, 1, 17, 2000] {
            let mut seen = std::collections::HashSet::new();
            let (mut emp, mut day, mut line) = (Vec::new(), Vec::new(), Vec::new());
            while emp.len() < rows {
                let key = (rand(40) as u32, rand(30) as i32 - 10, (rand(5) != 0).then(|| rand(4) as i64));
                if seen.insert(key) {
                    emp.push(key.0);
                    day.push(key.1);
                    line.push(key.2);
                }
            }
            let df = DataFrame::new(
                rows,
                vec![
                    Column::new("employee".into(), emp),
                    Column::new("local_day".into(), day),
                    Column::new("line".into(), line),
                ],
            )
            .unwrap();
            let then = || vec![df.column("local_day").unwrap().clone(), df.column("line").unwrap().clone()];
            let fast = pid_order(&df, &ids, then()).unwrap();
            let slow = pid_order_reference(&df, &ids, then()).unwrap();
            assert_eq!(fast.into_no_null_iter().collect::<Vec<_>>(), slow.into_no_null_iter().collect::<Vec<_>>());
        }
    }

    use polars::prelude::*;

    #[test]
    fn row_groups_are_those_polars_cuts_a_table_in() {
        for rows in [0usize, 1, 1000, 262_143, 262_144, 262_145, 524_287, 524_288, 600_001, 2_624_221] {
            let mut df = DataFrame::new(rows, vec![Column::new("x".into(), vec![0u32; rows])]).unwrap();
            let chunked = polars::frame::chunk_df_for_writing(&mut df, super::ROW_GROUP_ROWS).unwrap();
            let polars: Vec<usize> = if rows == 0 {
                Vec::new()
            } else {
                chunked.column("x").unwrap().as_materialized_series().chunk_lengths().collect()
            };
            let ours: Vec<usize> = super::row_groups(rows).iter().map(|r| r.len()).collect();
            assert_eq!(ours, polars, "{rows} rows");
            let ranges = super::row_groups(rows);
            assert!(ranges.windows(2).all(|w| w[0].end == w[1].start) && ranges.last().is_none_or(|r| r.end == rows));
        }
    }

    /// A frame of every column type the tables have, nulls and repeated strings included.
    fn typed_frame(rows: usize) -> DataFrame {
        let names = ["car", "train", "a pseudonym longer than twelve bytes", "bike"];
        df!(
            "text" => (0..rows).map(|i| names[(i / 7) % names.len()]).collect::<Vec<_>>(),
            "maybe_text" => (0..rows).map(|i| (i % 5 != 0).then(|| names[i % 3])).collect::<Vec<_>>(),
            "number" => (0..rows).map(|i| (i as f64 * 0.37).sin() * 10.0).collect::<Vec<_>>(),
            "rounded" => (0..rows).map(|i| ((i % 97) as f64) / 4.0).collect::<Vec<_>>(),
            "maybe_number" => (0..rows).map(|i| (i % 11 != 0).then_some(i as f64)).collect::<Vec<_>>(),
            "count" => (0..rows).map(|i| (i % 1000) as i64).collect::<Vec<_>>(),
            "index" => (0..rows).map(|i| i as u32).collect::<Vec<_>>(),
            "flag" => (0..rows).map(|i| i % 3 == 0).collect::<Vec<_>>(),
        )
        .unwrap()
        .lazy()
        .with_column((col("index").cast(DataType::Int32) / lit(1000)).cast(DataType::Date).alias("day"))
        .collect()
        .unwrap()
    }

    #[test]
    fn row_groups_encoded_side_by_side_have_the_bytes_of_polars_writer() {
        let rows = 600_001;
        let mut df = typed_frame(rows);
        let mut whole = Vec::new();
        super::parquet_writer(&mut whole).finish(&mut df).unwrap();
        let mut ours = Vec::new();
        {
            let mut writer = super::parquet_writer(&mut ours).batched(df.schema()).unwrap();
            let encoder = super::RowGroupEncoder::new(df.schema()).unwrap();
            for range in super::row_groups(rows) {
                let mut group = df.slice(range.start as i64, range.len());
                group.rechunk_mut();
                let pages = encoder.encode(&group, 0, None).unwrap();
                writer.write_row_group(pages.rows, &pages.columns).unwrap();
            }
            writer.finish().unwrap();
        }
        assert!(whole == ours, "{} bytes against {}", ours.len(), whole.len());
    }

    #[test]
    fn a_table_built_a_row_group_at_a_time_has_the_bytes_of_the_whole_table() {
        // Rows taken in another order (as the tables take theirs by pseudonym), a derived column
        // added per row group; as the whole table, sorted then derived, written by polars.
        let rows = 600_001;
        let source = typed_frame(rows);
        let order: Vec<IdxSize> = (0..rows as u64).map(|i| ((i * 7_919) % rows as u64) as IdxSize).collect();
        let order = IdxCa::from_vec("row".into(), order);
        let derive = |df: DataFrame| df.lazy().with_column((col("number") * lit(2.0)).alias("twice")).collect();
        let mut whole = derive(source.take(&order).unwrap()).unwrap();
        let mut polars = Vec::new();
        super::parquet_writer(&mut polars).finish(&mut whole).unwrap();
        let dir = std::env::temp_dir().join(format!("navette-grouped-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.parquet");
        let build = |range| derive(super::take_range(&source, &order, range)?);
        for check_fails in [false, true] {
            let check = |df: &DataFrame| -> anyhow::Result<()> {
                anyhow::ensure!(df.width() == 10 && !check_fails, "refused");
                Ok(())
            };
            let _ = std::fs::remove_file(&path);
            let columns = super::write_grouped(&path, rows, &build, &check, None);
            if check_fails {
                assert!(columns.is_err() && !path.exists(), "a refused table writes nothing");
            } else {
                assert_eq!(columns.unwrap().get_column_names(), whole.get_column_names());
                assert!(std::fs::read(&path).unwrap() == polars, "the bytes of the whole table");
            }
        }
        // No rows: the empty table, as polars writes it.
        let mut empty = whole.clear();
        let mut polars = Vec::new();
        super::parquet_writer(&mut polars).finish(&mut empty).unwrap();
        super::write_grouped(&path, 0, &|_| Ok(whole.clear()), &|_| Ok(()), None).unwrap();
        assert!(std::fs::read(&path).unwrap() == polars);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn scenario_totals_added_a_row_group_at_a_time_are_those_of_the_rows() {
        // 40 employees of 3 companies (pseudonyms not in employee order), 4 sites, days over two
        // quarters; rows sorted by pseudonym and day, as a scenario's.
        let pids: Vec<String> = (0..40u32).map(|e| format!("p{:02}", (e * 17) % 40)).collect();
        let company: Vec<u32> = (0..40).map(|e| e % 3).collect();
        let ids = super::Ids::for_tests(&pids, &company, &["C1", "C2", "C3"], &["S1", "S2", "S3", "S4"]);
        let modes = ["car", "train", "bike"];
        let (mut employee, mut day, mut site, mut replaces, mut presence, mut commute, mut center) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        let mut by_rank: Vec<u32> = (0..40).collect();
        by_rank.sort_by_key(|e| &pids[*e as usize]);
        for e in by_rank {
            for k in 0..(e % 9) {
                employee.push(e);
                day.push(20_450 + (k as i32) * 23 + e as i32);
                site.push((e + k) % 4);
                replaces.push((e + k) % 3 != 0);
                presence.push(3_600 * i64::from(1 + (e + k) % 8));
                commute.push(modes[(e % 3) as usize]);
                center.push(modes[((e + k) % 2) as usize]);
            }
        }
        let rows = employee.len();
        // With nulls in every sum column, and with none (the adder's two paths).
        for nulls in [true, false] {
            let mut columns = vec![
                Column::new("employee".into(), employee.clone()),
                Column::new("local_day".into(), day.clone()),
                Column::new("main_site".into(), site.clone()),
                Column::new("presence_s".into(), presence.clone()),
                Column::new("replaces_office_day".into(), replaces.clone()),
                Column::new("commute_mode".into(), commute.clone()),
                Column::new("center_mode".into(), center.clone()),
            ];
            for (i, (_, source)) in super::TOTAL_SUMS.iter().enumerate().skip(1) {
                let values: Vec<Option<f64>> = (0..rows)
                    .map(|r| (!nulls || r % 13 != i).then(|| ((r * (i + 3)) as f64 * 0.731).sin() * 1e3))
                    .collect();
                columns.push(Column::new((*source).into(), values));
            }
            let impacts = DataFrame::new(rows, columns).unwrap();
            let reference =
                super::scenario_totals_of("s", &super::scenario_part("s", impacts.clone(), &ids).unwrap()).unwrap();
            let mut adding = super::ScenarioTotals::new("s", &ids);
            for (start, len) in [(0, 50), (50, 1), (51, rows - 51)] {
                let slice = impacts.slice(start, len);
                let keys = ["employee", "local_day", "main_site"].map(|c| slice.column(c).unwrap().clone());
                adding.add(&keys, &super::scenario_part("s", slice, &ids).unwrap(), &ids).unwrap();
            }
            let ours = super::scenario_totals_table(&adding.rows()).unwrap();
            let reference = super::scenario_totals_table(&reference).unwrap();
            assert!(reference.height() > 20);
            assert_eq!(ours.column("km_actual").unwrap().null_count() > 0, nulls);
            // Bit for bit: the same sums in the same order.
            assert!(ours.equals_missing(&reference), "{ours}\n{reference}");
        }
    }

    #[test]
    fn hive_folders_escape_values_and_keep_row_order() {
        assert_eq!(super::hive_escape("C01"), "C01");
        assert_eq!(super::hive_escape("2026-Q1"), "2026-Q1");
        assert_eq!(super::hive_escape("A/B C=%é"), "A%2FB%20C%3D%25%C3%A9");
        let df = df!(
            "quarter" => ["2026-Q2", "2026-Q1", "2026-Q1", "2026-Q2"],
            "company_id" => ["B", "A/1", "A/1", "B"],
            "x" => [1, 2, 3, 4],
        )
        .unwrap();
        let got = std::sync::Mutex::new(Vec::<(String, Vec<i32>)>::new());
        super::hive_split(&df, &["quarter", "company_id"], &|f, d| {
            assert_eq!(d.get_column_names(), ["x"], "partition columns live in the folder names only");
            got.lock().unwrap().push((f, d.column("x").unwrap().i32().unwrap().into_no_null_iter().collect()));
            Ok(())
        })
        .unwrap();
        let mut got = got.into_inner().unwrap();
        got.sort();
        assert_eq!(
            got,
            [
                ("quarter=2026-Q1/company_id=A%2F1".to_owned(), vec![2, 3]),
                ("quarter=2026-Q2/company_id=B".to_owned(), vec![1, 4])
            ]
        );
    }

    /// The partitions of random tables (three keys, nulls, few and many values) are those of a
    /// plain grouping by the values' text, in the same order with the same rows.
    #[test]
    fn hive_split_groups_as_a_plain_grouping_by_text() {
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % n
        };
        for (rows, kinds) in [(0, 3), (1, 3), (50, 2), (3_000, 7), (3_000, 400)] {
            let mut column = |name: &str| -> Column {
                let v: Vec<Option<String>> =
                    (0..rows).map(|_| Some(next(kinds)).filter(|&k| k != 0).map(|k| format!("v{k}"))).collect();
                Column::new(name.into(), v)
            };
            let (a, b, c) = (column("a"), column("b"), column("c"));
            let x = Column::new("x".into(), (0..rows as i64).collect::<Vec<_>>());
            let df = DataFrame::new(rows, vec![a, b, c, x]).unwrap();
            let keys = ["a", "b", "c"];
            let mut want: std::collections::BTreeMap<Vec<String>, Vec<i64>> = Default::default();
            for row in 0..rows {
                let values = keys
                    .iter()
                    .map(|k| df.column(k).unwrap().str().unwrap().get(row).unwrap_or("").to_owned())
                    .collect();
                want.entry(values).or_default().push(row as i64);
            }
            let want: Vec<(String, Vec<i64>)> = want
                .into_iter()
                .map(|(v, r)| {
                    let folder: Vec<String> =
                        keys.iter().zip(&v).map(|(k, v)| format!("{k}={}", super::hive_escape(v))).collect();
                    (folder.join("/"), r)
                })
                .collect();
            let got = std::sync::Mutex::new(Vec::<(String, Vec<i64>)>::new());
            super::hive_split(&df, &keys, &|f, d| {
                got.lock().unwrap().push((f, d.column("x").unwrap().i64().unwrap().into_no_null_iter().collect()));
                Ok(())
            })
            .unwrap();
            let mut got = got.into_inner().unwrap();
            got.sort();
            let mut want = want;
            want.sort();
            assert_eq!(got, want, "{rows} rows, {kinds} values");
            // Whatever order the partitions are written in, the error told is the first one in
            // folder order (here the values' order: no value is escaped).
            if want.len() > 2 {
                let e = super::hive_split(&df, &keys, &|f, _| match f == want[1].0 || f == want[2].0 {
                    true => Err(anyhow::anyhow!("{f}")),
                    false => Ok(()),
                })
                .unwrap_err();
                assert_eq!(e.to_string(), want[1].0);
            }
        }
    }

    #[test]
    fn redaction_blanks_ids_and_coordinates() {
        assert_eq!(
            crate::privacy::redact(r#"employee_id "E1" is already defined"#),
            r#"employee_id "…" is already defined"#
        );
        assert_eq!(crate::privacy::redact("home (4.35, 50.84) looks swapped"), "home (…) looks swapped");
        assert_eq!(crate::privacy::redact("no values"), "no values");
        let id = format!("{:?}", r#"DUPONT "Jean""#);
        assert_eq!(crate::privacy::redact(&format!("employee_id {id} twice")), r#"employee_id "…" twice"#);
    }
}
