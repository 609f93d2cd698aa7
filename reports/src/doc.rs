//! A report as a document: headings, paragraphs, figures, tables and charts with every number
//! already formatted for the reader's language. The HTML (minijinja) and the PDF (`pdf/`) are two
//! renderings of the same `Doc`, so they carry the same content; snapshot tests read the `Doc`.

use serde::Serialize;

use crate::format::format_number;
use crate::i18n::{self, Lang, tr};
use crate::model::*;
use crate::{chart, map};

/// One block of a document.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Block {
    /// A section heading.
    Heading {
        /// Text.
        text: String,
    },
    /// The plain-language summary (boxed).
    Summary {
        /// Text.
        text: String,
    },
    /// A paragraph; `muted` for notes.
    Paragraph {
        /// Text.
        text: String,
        /// Smaller, grey.
        muted: bool,
    },
    /// Headline figures.
    Kpis {
        /// Figures.
        items: Vec<Kpi>,
    },
    /// A table; the first column is text, the others numbers.
    Table {
        /// Column headers.
        header: Vec<String>,
        /// Rows of formatted cells.
        rows: Vec<Vec<String>>,
    },
    /// A bullet list.
    List {
        /// Items.
        items: Vec<String>,
    },
    /// A chart (plotters SVG); `id` indexes [`Doc::charts`].
    Chart {
        /// Index into the charts.
        id: usize,
        /// Text alternative.
        alt: String,
    },
}

/// One headline figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Kpi {
    /// Formatted value with its unit.
    pub value: String,
    /// What it is.
    pub label: String,
}

/// A whole report, ready to render.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Doc {
    /// Language code (`fr`, `nl`, `en`).
    pub lang: &'static str,
    /// Title.
    pub title: String,
    /// Subtitle (period and study).
    pub subtitle: String,
    /// Footer line (PDF).
    pub footer: String,
    /// PDF creation date, pinned to the last day of the data (`YYYY-MM-DD`).
    pub date: String,
    /// Blocks in reading order.
    pub blocks: Vec<Block>,
    /// Chart SVGs, indexed by [`Block::Chart`].
    #[serde(skip)]
    pub charts: Vec<String>,
}

impl Doc {
    /// The document's visible text (no charts, no markup): what snapshot tests compare.
    pub fn text(&self) -> String {
        let mut out = format!("# {}\n{}\n", self.title, self.subtitle);
        for b in &self.blocks {
            match b {
                Block::Heading { text } => out.push_str(&format!("\n## {text}\n")),
                Block::Summary { text } => out.push_str(&format!("> {text}\n")),
                Block::Paragraph { text, .. } => out.push_str(&format!("{text}\n")),
                Block::Kpis { items } => {
                    for k in items {
                        out.push_str(&format!("* {} — {}\n", k.value, k.label));
                    }
                }
                Block::Table { header, rows } => {
                    out.push_str(&format!("| {} |\n", header.join(" | ")));
                    for r in rows {
                        out.push_str(&format!("| {} |\n", r.join(" | ")));
                    }
                }
                Block::List { items } => {
                    for i in items {
                        out.push_str(&format!("- {i}\n"));
                    }
                }
                Block::Chart { alt, .. } => out.push_str(&format!("[chart: {alt}]\n")),
            }
        }
        out
    }
}

/// Picks the string of the language.
struct B {
    lang: Lang,
    blocks: Vec<Block>,
    charts: Vec<String>,
}

impl B {
    fn n(&self, v: f64, d: usize) -> String {
        format_number(v, d, self.lang)
    }
    fn i(&self, v: u64) -> String {
        format_number(v as f64, 0, self.lang)
    }
    fn pct(&self, v: f64) -> String {
        format!("{}\u{a0}%", self.n(v, 1))
    }
    fn kg(&self, v: f64) -> String {
        format!("{}\u{a0}kg", self.n(v, 0))
    }
    fn h(&self, v: f64) -> String {
        format!("{}\u{a0}{}", self.n(v, 0), i18n::text(self.lang, "hours"))
    }
    fn heading(&mut self, text: String) {
        self.blocks.push(Block::Heading { text });
    }
    fn para(&mut self, text: String) {
        self.blocks.push(Block::Paragraph { text, muted: false });
    }
    fn note(&mut self, text: String) {
        self.blocks.push(Block::Paragraph { text, muted: true });
    }
    fn table(&mut self, header: Vec<String>, rows: Vec<Vec<String>>) {
        self.blocks.push(Block::Table { header, rows });
    }
    fn chart(&mut self, svg: Result<String, String>, alt: String) -> Result<(), String> {
        let svg = svg?;
        self.charts.push(svg);
        self.blocks.push(Block::Chart { id: self.charts.len() - 1, alt });
        Ok(())
    }
    fn t(&self, key: &str) -> String {
        i18n::text(self.lang, key).to_owned()
    }
    fn tr(&self, fr: &str, nl: &str, en: &str) -> String {
        tr(self.lang, fr, nl, en)
    }
    fn hidden(&self) -> String {
        self.tr("masqué", "verborgen", "hidden")
    }
    fn suppressed_note(&mut self, n: usize, k: u32) {
        if n > 0 {
            let text = match self.lang {
                Lang::Fr => format!(
                    "{n} ligne(s) masquée(s) : moins de {k} employés, ou masquée(s) pour qu'une autre ne puisse pas être recalculée à partir du total."
                ),
                Lang::Nl => format!(
                    "{n} rij(en) verborgen: minder dan {k} werknemers, of verborgen zodat een andere niet uit het totaal kan worden herberekend."
                ),
                Lang::En => format!(
                    "{n} row(s) hidden: fewer than {k} employees, or hidden so that another cannot be recomputed from the total."
                ),
            };
            self.note(text);
        }
    }
}

/// The federal home–work travel diagnostic's name of a main mode.
pub fn mode_name(lang: Lang, code: &str) -> String {
    let (fr, nl, en) = match code {
        "car" => ("Voiture (conducteur seul)", "Auto (alleen)", "Car (driver alone)"),
        "carpool" => ("Covoiturage", "Carpool", "Carpool"),
        "motorbike" => ("Moto", "Motorfiets", "Motorbike"),
        "train" => ("Train", "Trein", "Train"),
        "bus" => ("Bus", "Bus", "Bus"),
        "tram" => ("Tram", "Tram", "Tram"),
        "metro" => ("Métro", "Metro", "Metro"),
        "bike" => ("Vélo", "Fiets", "Bicycle"),
        "ebike" => ("Vélo électrique", "Elektrische fiets", "E-bike"),
        "walk" => ("À pied", "Te voet", "On foot"),
        other => (other, other, other),
    };
    tr(lang, fr, nl, en)
}

fn band_label(lang: Lang, b: &BandRow, unit: &str) -> String {
    let n = |v: f64| format_number(v, 0, lang);
    match (b.from, b.to) {
        (None, Some(t)) => format!("< {} {unit}", n(t)),
        (Some(f), None) => format!("≥ {} {unit}", n(f)),
        (Some(f), Some(t)) => format!("{}–{} {unit}", n(f), n(t)),
        (None, None) => tr(lang, "tous", "alle", "all"),
    }
}

/// A date `YYYY-MM-DD` in words: `30 juin 2026`, `30 juni 2026`, `30 June 2026`.
pub fn date_long(lang: Lang, iso: &str) -> String {
    const FR: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const NL: [&str; 12] = [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let parts: Vec<&str> = iso.split('-').collect();
    let (Some(y), Some(m), Some(d)) = (parts.first(), parts.get(1), parts.get(2)) else { return iso.to_owned() };
    let (Ok(m), Ok(d)) = (m.parse::<usize>(), d.parse::<u32>()) else { return iso.to_owned() };
    if !(1..=12).contains(&m) {
        return iso.to_owned();
    }
    let names = match lang {
        Lang::Fr => FR,
        Lang::Nl => NL,
        Lang::En => EN,
    };
    let day = if lang == Lang::Fr && d == 1 { "1er".to_owned() } else { d.to_string() };
    format!("{day} {} {y}", names[m - 1])
}

/// The last day of a quarter label (`2026-Q1` → `2026-03-31`).
pub fn quarter_end(label: &str) -> String {
    match label.split_once("-Q") {
        Some((y, "1")) => format!("{y}-03-31"),
        Some((y, "2")) => format!("{y}-06-30"),
        Some((y, "3")) => format!("{y}-09-30"),
        Some((y, "4")) => format!("{y}-12-31"),
        _ => "2000-01-01".to_owned(),
    }
}

fn company_summary(b: &B, r: &CompanyReport, h: &Headline) -> String {
    let q = i18n::quarter(b.lang, &r.quarter);
    let company = &r.company_name;
    let (emp, days, office, km, hours, co2) = (
        b.i(h.employees_active),
        b.i(h.center_days),
        b.i(h.office_days_replaced),
        b.n(h.km_avoided, 0),
        b.n(h.hours_avoided, 0),
        b.n(h.co2e_kg_avoided, 0),
    );
    let range = r.uncertainty.as_ref().map(|u| (b.n(u.low_kg, 0), b.n(u.high_kg, 0)));
    // A negative saving is said as such, not as "−684 kg less".
    let co2_phrase = if h.co2e_kg_avoided >= 0.0 {
        match b.lang {
            Lang::Fr => format!("et {co2} kg CO₂e de moins"),
            Lang::Nl => format!("en {co2} kg CO₂e minder"),
            Lang::En => format!("and {co2} kg CO₂e less"),
        }
    } else {
        let more = b.n(-h.co2e_kg_avoided, 0);
        match b.lang {
            Lang::Fr => format!(
                "mais {more} kg CO₂e de plus : les trajets vers les centres émettent plus que les trajets vers le bureau qu'ils remplacent (voir par mode)"
            ),
            Lang::Nl => format!(
                "maar {more} kg CO₂e meer: de ritten naar de centra stoten meer uit dan de kantoorritten die ze vervangen (zie per mode)"
            ),
            Lang::En => format!(
                "but {more} kg CO₂e more: the trips to the centers emit more than the office trips they replace (see by mode)"
            ),
        }
    };
    let mut s = match b.lang {
        Lang::Fr => format!(
            "Au {q}, {emp} collaborateurs de {company} ont travaillé {days} jours dans un centre du réseau, près de chez eux ; {office} de ces jours ont remplacé un jour au bureau. Par rapport au trajet habituel vers le bureau, cela représente {km} km et {hours} heures de trajet évités, {co2_phrase}"
        ),
        Lang::Nl => format!(
            "In het {q} werkten {emp} medewerkers van {company} {days} dagen in een centrum van het netwerk, dicht bij huis; {office} van die dagen vervingen een kantoordag. Tegenover de gewone rit naar kantoor is dat {km} km en {hours} reisuren vermeden, {co2_phrase}"
        ),
        Lang::En => format!(
            "In {q}, {emp} employees of {company} worked {days} days at a network center close to home; {office} of those days replaced a day at the office. Compared with their usual trip to the office, that is {km} km and {hours} hours of travel avoided, {co2_phrase}"
        ),
    };
    if let Some((lo, hi)) = range {
        s.push_str(&match b.lang {
            Lang::Fr => format!(" (CO₂e évité : entre {lo} et {hi} kg selon les hypothèses)"),
            Lang::Nl => format!(" (vermeden CO₂e: tussen {lo} en {hi} kg naargelang de aannames)"),
            Lang::En => format!(" (CO₂e avoided: between {lo} and {hi} kg depending on the assumptions)"),
        });
    }
    s.push('.');
    if let Some(p) = &r.package {
        let (used, proj) =
            (b.pct(100.0 * p.used_hours / p.package_hours), b.pct(100.0 * p.projected_hours / p.package_hours));
        s.push_str(&match b.lang {
            Lang::Fr => format!(" Le forfait d'heures du trimestre est utilisé à {used} (projection en fin de trimestre : {proj})."),
            Lang::Nl => format!(" Het urenpakket van het kwartaal is voor {used} verbruikt (projectie op het einde van het kwartaal: {proj})."),
            Lang::En => format!(" The quarter's hours package is {used} used (projected to the quarter's end: {proj})."),
        });
    }
    s
}

/// Builds the company quarterly report.
pub fn company(r: &CompanyReport) -> Result<Doc, String> {
    let lang = r.lang;
    let mut b = B { lang, blocks: Vec::new(), charts: Vec::new() };
    let k = r.appendix.k_anonymity;
    let title = format!("{} — {}", r.company_name, i18n::text(lang, "title"));
    let subtitle = format!("{} · {}", i18n::quarter(lang, &r.quarter), r.study_name);
    let date = r.package.as_ref().map_or_else(|| quarter_end(&r.quarter), |p| p.as_of.clone());
    let Some(h) = &r.headline else {
        b.blocks.push(Block::Summary { text: i18n::text(lang, "withheld").replace("{k}", &k.to_string()) });
        appendix(&mut b, &r.appendix)?;
        return Ok(Doc {
            lang: lang.code(),
            footer: title.clone(),
            title,
            subtitle,
            date,
            blocks: b.blocks,
            charts: b.charts,
        });
    };
    b.blocks.push(Block::Summary { text: company_summary(&b, r, h) });

    key_figures(&mut b, r, h);
    baseline_and_actual(&mut b, r, h, k);
    package_section(&mut b, r)?;
    by_month(&mut b, r, k)?;
    by_site(&mut b, r, k)?;
    by_mode(&mut b, r, k)?;
    spread(&mut b, r, k)?;
    uncertainty(&mut b, r.uncertainty.as_ref());
    energy(&mut b, r.energy.as_ref());
    if let Some(m) = &r.map {
        map_section(&mut b, m, k)?;
    }
    appendix(&mut b, &r.appendix)?;
    Ok(Doc { lang: lang.code(), footer: title.clone(), title, subtitle, date, blocks: b.blocks, charts: b.charts })
}

/// The headline figures as tiles.
fn key_figures(b: &mut B, r: &CompanyReport, h: &Headline) {
    b.heading(b.tr("Chiffres clés", "Kerncijfers", "Key figures"));
    let mut items = vec![
        Kpi { value: b.kg(h.co2e_kg_avoided), label: b.t("co2e_avoided_label") },
        Kpi { value: format!("{}\u{a0}km", b.n(h.km_avoided, 0)), label: b.t("km_avoided") },
        Kpi { value: b.h(h.hours_avoided), label: b.t("hours_avoided") },
        Kpi { value: b.i(h.employees_active), label: b.t("employees_active") },
        Kpi { value: b.i(h.center_days), label: b.t("center_days") },
        Kpi { value: b.i(h.office_days_replaced), label: b.t("office_days_replaced") },
        Kpi { value: b.h(h.center_hours), label: b.t("center_hours") },
    ];
    if let Some(p) = &r.package {
        items.push(Kpi {
            value: b.pct(100.0 * p.used_hours / p.package_hours),
            label: format!("{} ({})", b.t("package_used"), b.h(p.package_hours)),
        });
    }
    b.blocks.push(Block::Kpis { items });
}

/// Baseline vs actual, quarter and year to date.
fn baseline_and_actual(b: &mut B, r: &CompanyReport, h: &Headline, k: u32) {
    let lang = b.lang;
    // Baseline vs actual, quarter and year to date.
    b.heading(b.tr(
        "Situation de référence et situation réelle",
        "Referentiesituatie en werkelijke situatie",
        "Baseline and actual",
    ));
    let ytd_col = b.tr("Depuis le 1er janvier", "Sinds 1 januari", "Year to date");
    let y = r.ytd.as_ref();
    let dash = || "–".to_owned();
    let rows: Vec<(String, String, String)> = vec![
        (b.t("employees_active"), b.i(h.employees_active), y.map_or_else(dash, |y| b.i(y.employees_active))),
        (b.t("center_days"), b.i(h.center_days), y.map_or_else(dash, |y| b.i(y.center_days))),
        (
            b.t("office_days_replaced"),
            b.i(h.office_days_replaced),
            y.map_or_else(dash, |y| b.i(y.office_days_replaced)),
        ),
        (b.t("center_hours"), b.n(h.center_hours, 0), y.map_or_else(dash, |y| b.n(y.center_hours, 0))),
        (b.t("km_avoided"), b.n(h.km_avoided, 0), y.map_or_else(dash, |y| b.n(y.km_avoided, 0))),
        (b.t("hours_avoided"), b.n(h.hours_avoided, 0), y.map_or_else(dash, |y| b.n(y.hours_avoided, 0))),
        (b.t("co2e_baseline"), b.n(h.co2e_kg_baseline, 0), y.map_or_else(dash, |y| b.n(y.co2e_kg_baseline, 0))),
        (b.t("co2e_actual"), b.n(h.co2e_kg_actual, 0), y.map_or_else(dash, |y| b.n(y.co2e_kg_actual, 0))),
        (b.t("co2e_avoided"), b.n(h.co2e_kg_avoided, 0), y.map_or_else(dash, |y| b.n(y.co2e_kg_avoided, 0))),
    ];
    b.table(
        vec![String::new(), i18n::quarter(lang, &r.quarter), ytd_col],
        rows.into_iter().map(|(a, c, d)| vec![a, c, d]).collect(),
    );
    if r.ytd.is_none() {
        b.note(b.tr(
            "Cumul annuel non publié : un trimestre précédent de l'année compte moins de k employés et pourrait être recalculé par différence.",
            "Jaartotaal niet gepubliceerd: een eerder kwartaal van het jaar telt minder dan k werknemers en zou door verschil kunnen worden herberekend.",
            "Year to date withheld: an earlier quarter of the year has fewer than k employees and could be recomputed by difference.",
        ).replace(" k ", &format!(" {k} ")));
    }
    b.note(b.t("avoided_note"));
}

/// Package burn-down (when the company has a package).
fn package_section(b: &mut B, r: &CompanyReport) -> Result<(), String> {
    let lang = b.lang;
    // Package burn-down.
    if let Some(p) = &r.package {
        b.heading(b.tr("Forfait d'heures prépayé", "Vooraf betaald urenpakket", "Prepaid hours package"));
        let as_of = date_long(lang, &p.as_of);
        let (used, pkg, proj) = (b.h(p.used_hours), b.h(p.package_hours), b.h(p.projected_hours));
        let (used_pct, proj_pct) =
            (b.pct(100.0 * p.used_hours / p.package_hours), b.pct(100.0 * p.projected_hours / p.package_hours));
        let (obs, rem) = (p.working_days_observed, p.working_days_remaining);
        b.para(match lang {
            Lang::Fr => format!(
                "{used} utilisées sur {pkg} au {as_of} ({used_pct}). Projection à la fin du trimestre : {proj} ({proj_pct}). Règle : linéaire sur les jours ouvrables (lundi–vendredi, jours fériés non déduits) — {obs} jours observés, {rem} restants."
            ),
            Lang::Nl => format!(
                "{used} verbruikt van {pkg} op {as_of} ({used_pct}). Projectie op het einde van het kwartaal: {proj} ({proj_pct}). Regel: lineair over de werkdagen (maandag–vrijdag, feestdagen niet afgetrokken) — {obs} dagen waargenomen, {rem} resterend."
            ),
            Lang::En => format!(
                "{used} used of {pkg} by {as_of} ({used_pct}). Projected to the quarter's end: {proj} ({proj_pct}). Rule: linear on working days (Monday–Friday, public holidays not deducted) — {obs} days observed, {rem} to come."
            ),
        });
        b.chart(
            chart::burn_down_svg(r, p),
            b.tr("Forfait restant par mois", "Resterend pakket per maand", "Package left by month"),
        )?;
    }
    Ok(())
}

/// Month by month.
fn by_month(b: &mut B, r: &CompanyReport, k: u32) -> Result<(), String> {
    let lang = b.lang;
    // Month by month.
    b.heading(i18n::text(lang, "by_month").to_owned());
    b.chart(chart::monthly_co2e_svg(r), i18n::text(lang, "by_month").to_owned())?;
    let hidden_months = r.months.iter().filter(|(_, m)| m.is_none()).count();
    let rows = r
        .months
        .iter()
        .map(|(label, m)| match m {
            Some(m) => vec![
                i18n::month(lang, label),
                b.i(m.employees_active),
                b.n(m.center_hours, 0),
                b.n(m.km_avoided, 0),
                b.n(m.co2e_kg_baseline, 0),
                b.n(m.co2e_kg_actual, 0),
                b.n(m.co2e_kg_baseline - m.co2e_kg_actual, 0),
            ],
            None => vec![
                i18n::month(lang, label),
                b.hidden(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ],
        })
        .collect();
    b.table(
        vec![
            b.tr("Mois", "Maand", "Month"),
            b.t("employees_active"),
            b.t("center_hours"),
            b.t("km_avoided"),
            b.t("baseline_kg"),
            b.t("actual_kg"),
            b.t("co2e_avoided"),
        ],
        rows,
    );
    b.suppressed_note(hidden_months, k);
    Ok(())
}

/// Per site.
fn by_site(b: &mut B, r: &CompanyReport, k: u32) -> Result<(), String> {
    let lang = b.lang;
    // Per site.
    b.heading(b.tr("Par site", "Per site", "By site"));
    let shown: Vec<&SiteRow> = r.sites.iter().flatten().collect();
    if !shown.is_empty() {
        b.chart(
            chart::bars_svg(
                lang,
                &shown.iter().map(|s| (s.site_name.clone(), s.center_days as f64)).collect::<Vec<_>>(),
                &b.t("center_days"),
            ),
            format!("{} — {}", b.tr("Par site", "Per site", "By site"), b.t("center_days")),
        )?;
    }
    let rows = shown
        .iter()
        .map(|s| {
            vec![
                s.site_name.clone(),
                b.i(s.employees_active),
                b.i(s.center_days),
                b.i(s.office_days_replaced),
                b.n(s.center_hours, 0),
                b.n(s.km_avoided, 0),
                b.n(s.co2e_kg_avoided, 0),
            ]
        })
        .collect();
    b.table(
        vec![
            b.t("site"),
            b.t("employees_active"),
            b.t("center_days"),
            b.t("office_days_replaced"),
            b.t("center_hours"),
            b.t("km_avoided"),
            b.t("co2e_avoided"),
        ],
        rows,
    );
    b.note(b.tr(
        "Personnes et heures : toutes les visites du site ; jours et trajets : jours dont c'est le site principal.",
        "Personen en uren: alle bezoeken aan de site; dagen en ritten: dagen waarvan het de hoofdsite is.",
        "People and hours: every visit at the site; days and trips: days whose main site it is.",
    ));
    b.suppressed_note(r.sites.iter().filter(|s| s.is_none()).count(), k);
    Ok(())
}

/// Per main mode.
fn by_mode(b: &mut B, r: &CompanyReport, k: u32) -> Result<(), String> {
    let lang = b.lang;
    // Per main mode.
    b.heading(b.tr(
        "Par mode principal de déplacement domicile–travail",
        "Per hoofdvervoerwijze woon-werkverkeer",
        "By main home–work travel mode",
    ));
    let shown: Vec<&ModeRow> = r.modes.iter().flatten().collect();
    if !shown.is_empty() {
        b.chart(
            chart::bars_svg(
                lang,
                &shown.iter().map(|m| (mode_name(lang, &m.mode), m.co2e_kg_avoided)).collect::<Vec<_>>(),
                &b.t("co2e_avoided"),
            ),
            b.t("co2e_avoided"),
        )?;
    }
    let rows = shown
        .iter()
        .map(|m| {
            vec![
                mode_name(lang, &m.mode),
                b.i(m.employees_active),
                b.i(m.center_days),
                b.n(m.km_avoided, 0),
                b.n(m.co2e_kg_avoided, 0),
            ]
        })
        .collect();
    b.table(
        vec![
            b.tr("Mode principal", "Hoofdvervoerwijze", "Main mode"),
            b.t("employees_active"),
            b.t("center_days"),
            b.t("km_avoided"),
            b.t("co2e_avoided"),
        ],
        rows,
    );
    b.suppressed_note(r.modes.iter().filter(|m| m.is_none()).count(), k);
    Ok(())
}

/// Distribution across employees.
fn spread(b: &mut B, r: &CompanyReport, k: u32) -> Result<(), String> {
    let lang = b.lang;
    // Distribution across employees.
    b.heading(b.tr("Répartition des employés", "Spreiding over de werknemers", "Spread across employees"));
    let label_rows = |bands: &[Option<BandRow>], unit: &str| -> Vec<Vec<String>> {
        let mut rows = Vec::new();
        let mut hidden = 0;
        for band in bands {
            match band {
                Some(x) => rows.push(vec![band_label(lang, x, unit), b.i(x.employees)]),
                None => hidden += 1,
            }
        }
        if hidden > 0 {
            rows.push(vec![format!("{} ({hidden})", b.hidden()), String::new()]);
        }
        rows
    };
    let co2_rows = label_rows(&r.co2e_bands, "kg");
    let days_unit = b.tr("jours", "dagen", "days");
    let day_rows = label_rows(&r.day_bands, &days_unit);
    let shown: Vec<(String, f64)> =
        r.co2e_bands.iter().flatten().map(|x| (band_label(lang, x, "kg"), x.employees as f64)).collect();
    if !shown.is_empty() {
        b.chart(
            chart::bars_svg(lang, &shown, &b.t("employees_active")),
            b.tr(
                "Employés par tranche de CO₂e évité",
                "Werknemers per schijf vermeden CO₂e",
                "Employees by band of CO₂e avoided",
            ),
        )?;
    }
    b.table(
        vec![
            b.tr(
                "CO₂e évité par employé (trimestre)",
                "Vermeden CO₂e per werknemer (kwartaal)",
                "CO₂e avoided per employee (quarter)",
            ),
            b.t("employees_active"),
        ],
        co2_rows,
    );
    b.table(
        vec![
            b.tr("Jours en centre par employé", "Centrumdagen per werknemer", "Center days per employee"),
            b.t("employees_active"),
        ],
        day_rows,
    );
    b.note(b.tr(
        "Des tranches, jamais une ligne par personne ; une tranche de moins de k employés est masquée avec une autre.",
        "Schijven, nooit een rij per persoon; een schijf met minder dan k werknemers wordt samen met een andere verborgen.",
        "Bands, never one row per person; a band of fewer than k employees is hidden together with another.",
    ).replace(" k ", &format!(" {k} ")));
    Ok(())
}

fn uncertainty(b: &mut B, u: Option<&Uncertainty>) {
    let Some(u) = u else { return };
    b.heading(b.tr("Fourchette d'incertitude", "Onzekerheidsmarge", "Uncertainty range"));
    b.table(
        vec![
            String::new(),
            b.tr("bas", "laag", "low"),
            b.tr("central", "centraal", "central"),
            b.tr("haut", "hoog", "high"),
        ],
        vec![vec![b.t("co2e_avoided"), b.n(u.low_kg, 0), b.n(u.central_kg, 0), b.n(u.high_kg, 0)]],
    );
    let (gross, after) = (b.n(u.gross_kg, 0), b.n(u.after_ademe_rebound_kg, 0));
    let share = b.pct(100.0 * u.rebound_share_in_run);
    b.para(match b.lang {
        Lang::Fr => format!(
            "Bas et haut : le facteur d'émission de chaque mode et le détour des distances estimées sont pris à l'extrémité défavorable (resp. favorable) des valeurs publiées (voir l'annexe), la même pour tous les trajets ; une enveloppe, pas un intervalle de confiance. Effet rebond : l'ADEME (2020) estime qu'environ 31 % des économies brutes du télétravail sont reprises (déplacements non professionnels, énergie) ; appliqué aux {gross} kg d'économie brute, il resterait {after} kg. Le chiffre central inclut un rebond de {share}."
        ),
        Lang::Nl => format!(
            "Laag en hoog: de emissiefactor van elke modus en de omweg van de geschatte afstanden aan het ongunstige (resp. gunstige) uiteinde van de gepubliceerde waarden (zie bijlage), dezelfde voor alle ritten; een omhullende, geen betrouwbaarheidsinterval. Rebound-effect: ADEME (2020) schat dat ongeveer 31 % van de bruto besparing van telewerk teruggenomen wordt (niet-werkverplaatsingen, energie); toegepast op de {gross} kg bruto besparing blijft {after} kg over. Het centrale cijfer bevat een rebound van {share}."
        ),
        Lang::En => format!(
            "Low and high: each mode's emission factor and the detour of estimated distances at the unfavourable (resp. favourable) end of the published values (see the appendix), the same for every trip; an envelope, not a confidence interval. Rebound: ADEME (2020) finds about 31 % of telework's gross savings taken back (non-work trips, energy); applied to the {gross} kg gross saving, {after} kg would remain. The central figure includes a rebound of {share}."
        ),
    });
}

/// The energy of the places of work, beside the commute figures (never netted into them).
fn energy(b: &mut B, e: Option<&Energy>) {
    let Some(e) = e else { return };
    b.heading(b.tr(
        "Énergie des lieux de travail (en option)",
        "Energie van de werkplekken (optioneel)",
        "Energy of the places of work (optional)",
    ));
    let dash = "—".to_owned();
    let hours = b.h(e.center_hours);
    let office = if e.office_shrinks {
        vec![
            b.tr(
                "Énergie du bureau économisée (le bureau se réduit : hypothèse de l'étude)",
                "Bespaarde kantoorenergie (het kantoor krimpt: aanname van de studie)",
                "Office energy saved (the office shrinks: the study's assumption)",
            ),
            b.n(-e.office_kwh_saved, 0),
            b.n(-e.office_co2e_kg_saved, 0),
        ]
    } else {
        vec![
            b.tr(
                "Énergie du bureau : rien d'économisé (bureau gardé entier, hypothèse par défaut)",
                "Kantoorenergie: niets bespaard (kantoor blijft volledig, standaardaanname)",
                "Office energy: nothing saved (office kept whole, default assumption)",
            ),
            b.n(0.0, 0),
            b.n(0.0, 0),
        ]
    };
    b.table(
        vec![String::new(), "kWh".to_owned(), "kg CO\u{2082}e".to_owned()],
        vec![
            vec![
                match b.lang {
                    Lang::Fr => format!("Postes de travail aux centres ({hours})"),
                    Lang::Nl => format!("Werkplekken in de centra ({hours})"),
                    Lang::En => format!("Desks at the centers ({hours})"),
                },
                b.n(e.center_kwh, 0),
                b.n(e.center_co2e_kg, 0),
            ],
            office,
            vec![
                b.tr(
                    "Comparaison : les mêmes heures en télétravail à domicile",
                    "Vergelijking: dezelfde uren thuiswerk",
                    "Comparison: the same hours worked from home",
                ),
                dash.clone(),
                b.n(e.home_co2e_kg_alternative, 0),
            ],
            vec![
                b.tr(
                    "Pour mémoire : CO2e des trajets évités ces jours-là",
                    "Ter herinnering: CO2e van de vermeden ritten op die dagen",
                    "For reference: commute CO2e avoided on those days",
                ),
                dash,
                b.n(e.commute_co2e_kg_avoided, 0),
            ],
        ],
    );
    b.para(b.tr(
        "Ces lignes sont présentées à côté des chiffres des trajets et n'en sont jamais déduites : l'énergie d'un centre est partagée entre ses utilisateurs au prorata des heures, et le bureau n'économise de l'énergie que s'il réduit sa surface.",
        "Deze regels staan naast de cijfers van de ritten en worden er nooit van afgetrokken: de energie van een centrum wordt naar rato van de uren over de gebruikers verdeeld, en het kantoor bespaart alleen energie als het zijn oppervlakte verkleint.",
        "These lines stand beside the commute figures and are never subtracted from them: a center's energy is shared among its users by hours, and the office saves energy only if it shrinks its floor space.",
    ));
    let items = e
        .parameters
        .iter()
        .filter(|p| p.unit != "flag")
        .map(|p| format!("{} = {} {} — {}", p.name, format_number(p.value, 4, b.lang), p.unit, p.source))
        .collect();
    b.blocks.push(Block::List { items });
}

fn map_section(b: &mut B, m: &MapData, k: u32) -> Result<(), String> {
    b.heading(b.tr(
        "Sites du réseau et domicile des utilisateurs",
        "Sites van het netwerk en woonplaats van de gebruikers",
        "Network sites and where users live",
    ));
    let alt = b
        .tr(
            "Carte : sites (points verts) et cellules de 1 à 40 km où habitent au moins k utilisateurs",
            "Kaart: sites (groene punten) en cellen van 1 tot 40 km waar minstens k gebruikers wonen",
            "Map: sites (green dots) and 1 to 40 km cells where at least k users live",
        )
        .replace(" k ", &format!(" {k} "));
    b.chart(map::map_svg(b.lang, m), alt)?;
    let (shown, hidden, people) = (m.cells.len(), m.cells_hidden, m.employees_hidden);
    let roads = roads_credit(b, !m.background.roads.is_empty());
    b.note(match b.lang {
        Lang::Fr => format!(
            "Domiciles des utilisateurs des centres sur toute la période d'étude, agrégés dans la grille Eurostat de 1 km (ETRS89-LAEA) dans le pipeline ; aucun domicile n'en sort. Une cellule de moins de {k} personnes est regroupée dans la cellule de 2, 10, 20 puis 40 km qui la contient. {shown} cellule(s) affichée(s) (au moins {k} personnes chacune) ; {hidden} cellule(s) masquée(s) ({people} personnes au total). Points gris : communes (Statbel, GeoNames) ; traits gris : limites des cantons judiciaires (IGN).{roads}"
        ),
        Lang::Nl => format!(
            "Woonplaatsen van de centrumgebruikers over de hele studieperiode, in de pijplijn samengevoegd in het Eurostat-raster van 1 km (ETRS89-LAEA); geen enkel adres verlaat die. Een cel met minder dan {k} personen gaat op in de omliggende cel van 2, 10, 20 en dan 40 km. {shown} cel(len) getoond (elk minstens {k} personen); {hidden} cel(len) verborgen ({people} personen samen). Grijze punten: gemeenten (Statbel, GeoNames); grijze lijnen: grenzen van de gerechtelijke kantons (NGI).{roads}"
        ),
        Lang::En => format!(
            "Homes of the centers' users over the whole study period, aggregated to the Eurostat 1 km grid (ETRS89-LAEA) inside the pipeline; no home leaves it. A cell of fewer than {k} people is merged into the enclosing 2, 10, 20, then 40 km cell. {shown} cell(s) shown (at least {k} people each); {hidden} cell(s) hidden ({people} people in all). Grey dots: municipalities (Statbel, GeoNames); grey lines: judicial canton boundaries (NGI).{roads}"
        ),
    });
    Ok(())
}

/// The OpenStreetMap credit of a map that draws roads (ODbL), empty otherwise.
fn roads_credit(b: &B, drawn: bool) -> String {
    if !drawn {
        return String::new();
    }
    b.tr(
        " Routes principales : © les contributeurs d'OpenStreetMap (ODbL).",
        " Hoofdwegen: © OpenStreetMap-bijdragers (ODbL).",
        " Main roads: © OpenStreetMap contributors (ODbL).",
    )
}

fn appendix(b: &mut B, a: &Appendix) -> Result<(), String> {
    let lang = b.lang;
    b.heading(b.tr(
        "Annexe — méthode et qualité des données",
        "Bijlage — methode en datakwaliteit",
        "Appendix — method and data quality",
    ));
    b.para(b.t("method_text"));
    let routing = if a.legs_routed > 0 {
        b.tr(
            "trajets routés sur le réseau routier OpenStreetMap de l'étude (moteur navette-road), les autres estimés",
            "ritten gerouteerd op het OpenStreetMap-wegennet van de studie (navette-road), de andere geschat",
            "legs routed on the study's OpenStreetMap road network (navette-road engine), the others estimated",
        )
    } else if a.legs_stations > 0 {
        b.tr(
            "trajets estimés (distance à vol d'oiseau × facteur de détour), sauf les trajets en train ci-après",
            "ritten geschat (vogelvluchtafstand × omwegfactor), behalve de treinritten hierna",
            "legs estimated (great-circle distance × detour factor), except the train legs below",
        )
    } else {
        b.tr(
            "tous les trajets estimés (distance à vol d'oiseau × facteur de détour)",
            "alle ritten geschat (vogelvluchtafstand × omwegfactor)",
            "every leg estimated (great-circle distance × detour factor)",
        )
    };
    let stations = if a.legs_stations > 0 {
        let n = b.i(a.legs_stations);
        match lang {
            Lang::Fr => format!(
                " ; {n} trajets en train passent par les gares réelles de la SNCB (accès à pied, à vélo ou en voiture, trajet ferroviaire selon un modèle calibré sur les temps de parcours publiés, gare d'arrivée puis à pied ou en bus)"
            ),
            Lang::Nl => format!(
                "; {n} treinritten lopen via echte NMBS-stations (te voet, met de fiets of de auto naar het station, treinrit volgens een model gekalibreerd op gepubliceerde reistijden, vanaf het station te voet of met de bus)"
            ),
            Lang::En => format!(
                "; {n} train legs go through real SNCB stations (walk, bike or car to the station, rail by a model calibrated on published journey times, then on foot or by bus)"
            ),
        }
    } else {
        String::new()
    };
    b.blocks.push(Block::List {
        items: vec![
            format!("{}{} {}", b.t("boundary"), b.t("colon"), b.t(&format!("boundary_{}", a.boundary))),
            format!("{}{} {}", b.t("factor_set"), b.t("colon"), a.factor_set),
            format!("{}{} {}", b.t("threshold"), b.t("colon"), b.h(a.min_hours_office_day)),
            format!(
                "{}{} {} ({} / {}){}",
                b.tr("Distances", "Afstanden", "Distances"),
                b.t("colon"),
                routing,
                b.i(a.legs_routed),
                b.i(a.legs_routed + a.legs_estimated + a.legs_stations),
                stations
            ),
            format!(
                "{}{} {}",
                b.tr("Rebond inclus", "Rebound inbegrepen", "Rebound included"),
                b.t("colon"),
                b.pct(100.0 * a.rebound_share)
            ),
            i18n::text(lang, "k_rule").replace("{k}", &a.k_anonymity.to_string()),
        ],
    });

    b.heading(b.tr("Facteurs d'émission utilisés", "Gebruikte emissiefactoren", "Emission factors used"));
    let rows = a
        .factors
        .iter()
        .map(|f| {
            let what = [mode_name(lang, &f.mode), f.fuel.clone(), f.size.clone()]
                .into_iter()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(", ");
            vec![
                what,
                f.component.to_uppercase(),
                format!("{} kg/{}", b.n(f.value_kg, 5), f.unit),
                f.source.clone(),
                f.year.to_string(),
                b.i(f.legs),
            ]
        })
        .collect();
    b.table(
        vec![
            b.tr("Mode", "Modus", "Mode"),
            b.tr("Composante", "Component", "Component"),
            b.tr("Valeur", "Waarde", "Value"),
            b.tr("Source", "Bron", "Source"),
            b.tr("Année", "Jaar", "Year"),
            b.tr("Trajets", "Ritten", "Legs"),
        ],
        rows,
    );

    b.heading(b.tr(
        "Facteurs de détour et vitesses (trajets estimés)",
        "Omwegfactoren en snelheden (geschatte ritten)",
        "Detour factors and speeds (estimated legs)",
    ));
    let rows = a
        .detours
        .iter()
        .map(|d| vec![mode_name(lang, &d.mode), b.n(d.from_km, 0), b.n(d.detour, 2), b.n(d.speed_kmh, 0)])
        .collect();
    b.table(
        vec![
            b.tr("Mode", "Modus", "Mode"),
            b.tr("À partir de (km)", "Vanaf (km)", "From (km)"),
            b.tr("Détour", "Omweg", "Detour"),
            b.tr("Vitesse (km/h)", "Snelheid (km/u)", "Speed (km/h)"),
        ],
        rows,
    );

    b.heading(b.t("quality"));
    let mut rows =
        vec![vec![b.t("rows_read_label"), b.i(a.rows_read)], vec![b.t("rows_rejected_label"), b.i(a.rows_rejected)]];
    for (reason, n) in &a.reasons {
        rows.push(vec![format!("  {}", i18n::reason(lang, reason)), b.i(*n)]);
    }
    rows.push(vec![
        b.tr("Lignes de badge à carte inconnue", "Badgeregels met onbekende kaart", "Badge rows with an unknown card"),
        b.i(a.unknown_cards),
    ]);
    rows.push(vec![
        b.tr("Domiciles placés par code postal", "Woonplaatsen via postcode", "Homes placed from a postcode"),
        format!("{} / {}", b.i(a.homes_from_postcode), b.i(a.employees)),
    ]);
    rows.push(vec![b.tr("Trajets routés", "Gerouteerde ritten", "Legs routed"), b.i(a.legs_routed)]);
    rows.push(vec![b.tr("Trajets estimés", "Geschatte ritten", "Legs estimated"), b.i(a.legs_estimated)]);
    if a.legs_stations > 0 {
        rows.push(vec![
            b.tr("Trajets en train par les gares", "Treinritten via stations", "Train legs through stations"),
            b.i(a.legs_stations),
        ]);
    }
    b.table(vec![String::new(), b.tr("Nombre", "Aantal", "Count")], rows);

    b.heading(b.tr(
        "Écart des facteurs et des distances (fourchette d'incertitude)",
        "Spreiding van factoren en afstanden (onzekerheidsmarge)",
        "Spread of factors and distances (uncertainty range)",
    ));
    b.para(b.tr(
        "Les erreurs sont systématiques : le vrai facteur d'un mode et le vrai détour des distances estimées sont inconnus mais les mêmes pour tous les trajets. Pour chaque extrémité d de l'écart des distances, l'économie nette N(m, d) de chaque mode m (trajets de référence et rebond du mode de déplacement habituel, moins les trajets vers les centres) est multipliée par le ratio bas ou haut du mode, celui qui donne le moins (bas) ou le plus (haut) ; bas = le minimum sur d de la somme des modes, haut = le maximum.",
        "De fouten zijn systematisch: de echte factor van een modus en de echte omweg van geschatte afstanden zijn onbekend maar dezelfde voor alle ritten. Voor elk uiteinde d van de afstandsspreiding wordt de netto besparing N(m, d) van elke modus m (referentieritten en rebound met de gewone vervoerwijze, min de ritten naar de centra) vermenigvuldigd met de lage of hoge ratio van de modus, die met het minste (laag) of het meeste (hoog) resultaat; laag = het minimum over d van de som over de modi, hoog = het maximum.",
        "The errors are systematic: a mode's true factor and the true detour of estimated distances are unknown but the same for every trip. For each end d of the distance spread, each mode m's net saving N(m, d) (baseline trips and rebound by the usual mode, less the trips to the centers) is multiplied by the mode's low or high ratio, whichever gives less (low) or more (high); low = the minimum over d of the sum over modes, high = the maximum.",
    ));
    let rows = a
        .spread
        .iter()
        .map(|s| {
            let what = if s.kind == "factor" {
                mode_name(lang, &s.key)
            } else {
                format!("{} ({})", b.tr("distance", "afstand", "distance"), s.key)
            };
            vec![what, b.n(s.low_ratio, 3), b.n(s.high_ratio, 3), s.source.clone()]
        })
        .collect();
    b.table(
        vec![
            String::new(),
            b.tr("ratio bas", "lage ratio", "low ratio"),
            b.tr("ratio haut", "hoge ratio", "high ratio"),
            b.tr("Source", "Bron", "Source"),
        ],
        rows,
    );
    b.note(b.t("avoided_note"));
    Ok(())
}

fn network_summary(b: &B, r: &NetworkReport, c: &NetworkTotals) -> String {
    let q = i18n::quarter(b.lang, &r.quarter);
    let (comp, emp, sites, days, co2) = (
        b.i(c.companies_active),
        b.i(c.employees_active),
        b.i(c.sites_active),
        b.i(c.center_days),
        b.n(c.co2e_kg_avoided, 0),
    );
    let mut s = match b.lang {
        Lang::Fr => format!(
            "Au {q}, {emp} employés de {comp} entreprises ont utilisé {sites} sites du réseau, pour {days} jours en centre et {co2} kg CO₂e évités sur les trajets domicile–travail."
        ),
        Lang::Nl => format!(
            "In het {q} gebruikten {emp} werknemers van {comp} bedrijven {sites} sites van het netwerk, voor {days} centrumdagen en {co2} kg CO₂e vermeden op het woon-werkverkeer."
        ),
        Lang::En => format!(
            "In {q}, {emp} employees of {comp} companies used {sites} network sites, for {days} center days and {co2} kg CO₂e avoided on home–work travel."
        ),
    };
    if let Some(p) = &r.previous {
        let (pq, pco2) = (i18n::quarter(b.lang, &p.quarter), b.n(p.co2e_kg_avoided, 0));
        s.push_str(&match b.lang {
            Lang::Fr => format!(" Au trimestre précédent ({pq}) : {pco2} kg CO₂e évités."),
            Lang::Nl => format!(" Vorig kwartaal ({pq}): {pco2} kg CO₂e vermeden."),
            Lang::En => format!(" The quarter before ({pq}): {pco2} kg CO₂e avoided."),
        });
    }
    s
}

/// Builds the funders' network report.
pub fn network(r: &NetworkReport) -> Result<Doc, String> {
    let lang = r.lang;
    let mut b = B { lang, blocks: Vec::new(), charts: Vec::new() };
    let k = r.appendix.k_anonymity;
    let title = tr(lang, "Rapport du réseau", "Netwerkrapport", "Network report");
    let subtitle = format!("{} · {}", i18n::quarter(lang, &r.quarter), r.study_name);
    let date = quarter_end(&r.quarter);
    let footer = format!("{title} — {}", i18n::quarter(lang, &r.quarter));
    let Some(c) = &r.current else {
        b.blocks.push(Block::Summary { text: i18n::text(lang, "withheld").replace("{k}", &k.to_string()) });
        appendix(&mut b, &r.appendix)?;
        return Ok(Doc { lang: lang.code(), title, subtitle, footer, date, blocks: b.blocks, charts: b.charts });
    };
    b.blocks.push(Block::Summary { text: network_summary(&b, r, c) });
    b.heading(b.tr("Chiffres clés", "Kerncijfers", "Key figures"));
    b.blocks.push(Block::Kpis {
        items: vec![
            Kpi { value: b.kg(c.co2e_kg_avoided), label: b.t("co2e_avoided_label") },
            Kpi { value: format!("{}\u{a0}km", b.n(c.km_avoided, 0)), label: b.t("km_avoided") },
            Kpi { value: b.h(c.hours_avoided), label: b.t("hours_avoided") },
            Kpi {
                value: b.i(c.companies_active),
                label: b.tr("Entreprises actives", "Actieve bedrijven", "Active companies"),
            },
            Kpi { value: b.i(c.employees_active), label: b.t("employees_active") },
            Kpi { value: b.i(c.sites_active), label: b.tr("Sites utilisés", "Gebruikte sites", "Sites used") },
            Kpi { value: b.i(c.center_days), label: b.t("center_days") },
            Kpi { value: b.h(c.center_hours), label: b.t("center_hours") },
        ],
    });

    b.heading(b.tr("Trimestre après trimestre", "Kwartaal na kwartaal", "Quarter over quarter"));
    let p = r.previous.as_ref();
    let metric = |label: String, cur: f64, prev: Option<f64>, d: usize| -> Vec<String> {
        vec![
            label,
            prev.map_or("–".into(), |v| b.n(v, d)),
            b.n(cur, d),
            prev.filter(|v| v.abs() > 0.0).map_or("–".into(), |v| {
                let ch = 100.0 * (cur - v) / v.abs();
                format!("{}{}", if ch > 0.0 { "+" } else { "" }, b.pct(ch))
            }),
        ]
    };
    let rows = vec![
        metric(
            b.tr("Entreprises actives", "Actieve bedrijven", "Active companies"),
            c.companies_active as f64,
            p.map(|p| p.companies_active as f64),
            0,
        ),
        metric(b.t("employees_active"), c.employees_active as f64, p.map(|p| p.employees_active as f64), 0),
        metric(
            b.tr("Sites utilisés", "Gebruikte sites", "Sites used"),
            c.sites_active as f64,
            p.map(|p| p.sites_active as f64),
            0,
        ),
        metric(b.t("center_days"), c.center_days as f64, p.map(|p| p.center_days as f64), 0),
        metric(b.t("office_days_replaced"), c.office_days_replaced as f64, p.map(|p| p.office_days_replaced as f64), 0),
        metric(b.t("center_hours"), c.center_hours, p.map(|p| p.center_hours), 0),
        metric(b.t("km_avoided"), c.km_avoided, p.map(|p| p.km_avoided), 0),
        metric(b.t("hours_avoided"), c.hours_avoided, p.map(|p| p.hours_avoided), 0),
        metric(b.t("co2e_baseline"), c.co2e_kg_baseline, p.map(|p| p.co2e_kg_baseline), 0),
        metric(b.t("co2e_actual"), c.co2e_kg_actual, p.map(|p| p.co2e_kg_actual), 0),
        metric(b.t("co2e_avoided"), c.co2e_kg_avoided, p.map(|p| p.co2e_kg_avoided), 0),
    ];
    b.table(
        vec![
            String::new(),
            p.map_or("–".into(), |p| i18n::quarter(lang, &p.quarter)),
            i18n::quarter(lang, &r.quarter),
            b.tr("Évolution", "Verandering", "Change"),
        ],
        rows,
    );

    b.heading(b.tr("Utilisation par site", "Gebruik per site", "Use by site"));
    let shown: Vec<&NetworkSiteRow> = r.sites.iter().flatten().collect();
    let occ: Vec<(String, f64)> =
        shown.iter().filter_map(|s| s.desk_occupancy_pct.map(|o| (s.site_name.clone(), o))).collect();
    if !occ.is_empty() {
        b.chart(
            chart::bars_svg(
                lang,
                &occ,
                &b.tr("Occupation des postes (%)", "Bezetting van de werkplekken (%)", "Desk occupancy (%)"),
            ),
            b.tr("Occupation des postes par site", "Bezetting van de werkplekken per site", "Desk occupancy by site"),
        )?;
    }
    let opt_pct = |v: Option<f64>| v.map_or("–".into(), |v| b.pct(v));
    let rows = shown
        .iter()
        .map(|s| {
            vec![
                format!("{} ({})", s.site_name, s.municipality),
                s.workspaces.map_or("–".into(), |w| b.i(w)),
                b.i(s.companies_active),
                b.i(s.employees_active),
                b.i(s.center_days),
                b.n(s.center_hours, 0),
                opt_pct(s.desk_occupancy_pct),
                opt_pct(s.mean_peak_occupancy_pct),
                b.n(s.co2e_kg_avoided, 0),
            ]
        })
        .collect();
    b.table(
        vec![
            b.t("site"),
            b.tr("Postes", "Werkplekken", "Desks"),
            b.tr("Entreprises", "Bedrijven", "Companies"),
            b.t("employees_active"),
            b.t("center_days"),
            b.t("center_hours"),
            b.tr("Occupation des postes", "Bezetting werkplekken", "Desk occupancy"),
            b.tr("Pic moyen", "Gemiddelde piek", "Mean peak"),
            b.t("co2e_avoided"),
        ],
        rows,
    );
    b.note(b.tr(
        "Occupation des postes = jours-poste utilisés ÷ (postes × jours ouvrables d'ouverture du trimestre) ; pic moyen = moyenne, sur ces jours, du plus grand nombre de personnes présentes en même temps ÷ postes.",
        "Bezetting = gebruikte werkplekdagen ÷ (werkplekken × werkdagen open in het kwartaal); gemiddelde piek = gemiddelde over die dagen van het grootste aantal gelijktijdig aanwezigen ÷ werkplekken.",
        "Desk occupancy = desk-days used ÷ (desks × working days open in the quarter); mean peak = mean over those days of the most people present at once ÷ desks.",
    ));
    b.suppressed_note(r.sites.iter().filter(|s| s.is_none()).count(), k);

    if let Some(d) = &r.data_sources {
        b.heading(b.tr("Part des données primaires", "Aandeel primaire gegevens", "Share of primary data"));
        b.table(
            vec![String::new(), b.tr("Part", "Aandeel", "Share")],
            vec![
                vec![
                    b.tr(
                        "Jours en centre issus des badges",
                        "Centrumdagen uit badgegegevens",
                        "Center days from badge logs",
                    ),
                    format!("{} ({})", b.pct(100.0), b.i(d.center_days)),
                ],
                vec![
                    b.tr(
                        "Visites clôturées par un badge de sortie",
                        "Bezoeken afgesloten met een uitbadge",
                        "Visits closed by a badge-out",
                    ),
                    b.pct(d.visits_closed_pct),
                ],
                vec![
                    b.tr(
                        "km domicile–bureau routés (non estimés)",
                        "km woning–kantoor gerouteerd (niet geschat)",
                        "Home–office km routed (not estimated)",
                    ),
                    b.pct(d.km_baseline_routed_pct),
                ],
                vec![
                    b.tr("km domicile–centre routés", "km woning–centrum gerouteerd", "Home–center km routed"),
                    b.pct(d.km_center_routed_pct),
                ],
                vec![
                    b.tr(
                        "Domiciles issus de coordonnées (pas d'un code postal)",
                        "Woonplaatsen uit coördinaten (niet uit een postcode)",
                        "Homes from coordinates (not a postcode)",
                    ),
                    b.pct(d.homes_from_coordinates_pct),
                ],
            ],
        );
        b.note(b.tr(
            "Les badges sont des données d'activité primaires (ESRS E1 AR 46g) ; les distances estimées et les domiciles placés par code postal sont des estimations.",
            "Badgegegevens zijn primaire activiteitsgegevens (ESRS E1 AR 46g); geschatte afstanden en via postcode geplaatste woonplaatsen zijn schattingen.",
            "Badge logs are primary activity data (ESRS E1 AR 46g); estimated distances and homes placed from postcodes are estimates.",
        ));
    }
    uncertainty(&mut b, r.uncertainty.as_ref());
    energy(&mut b, r.energy.as_ref());
    if let Some(m) = &r.map {
        map_section(&mut b, m, k)?;
    }
    appendix(&mut b, &r.appendix)?;
    Ok(Doc { lang: lang.code(), title, subtitle, footer, date, blocks: b.blocks, charts: b.charts })
}

fn objective_name(lang: Lang, code: &str) -> String {
    match code {
        "co2e" => tr(lang, "CO₂e évité", "vermeden CO₂e", "CO₂e avoided"),
        "km" => tr(lang, "km évités", "vermeden km", "km avoided"),
        "hours" => tr(lang, "heures de trajet évitées", "vermeden reisuren", "travel hours avoided"),
        other => other.to_owned(),
    }
}

/// A list of names: `A, B et C` / `A, B en C` / `A, B and C`.
fn names_list(lang: Lang, names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} {} {last}", rest.join(", "), tr(lang, "et", "en", "and")),
    }
}

fn plan_summary(b: &B, r: &PlanReport, added: [f64; 3]) -> String {
    let n = r.chosen.len();
    let names: Vec<&str> = r.chosen.iter().map(|s| s.name.as_str()).collect();
    let names = names_list(b.lang, &names);
    let (add, low, high) = (b.n(added[0], 0), b.n(added[1], 0), b.n(added[2], 0));
    let existing = b.n(r.co2e_kg_per_year_existing, 0);
    let m = b.i(r.existing_sites);
    let total = r.chosen.last().and_then(|s| s.cumulative.as_ref());
    let km = b.n(total.map_or(0.0, |c| c.km_per_year), 0);
    let hours = b.n(total.map_or(0.0, |c| c.hours_per_year), 0);
    let pct = b.pct(100.0 - r.max_gap_pct);
    let objective = objective_name(b.lang, &r.objective);
    let range = if r.uptake.fitted {
        match b.lang {
            Lang::Fr => format!(" (de {low} à {high} selon l'adoption)"),
            Lang::Nl => format!(" ({low} tot {high} naargelang de opname)"),
            Lang::En => format!(" ({low} to {high} depending on uptake)"),
        }
    } else {
        String::new()
    };
    match b.lang {
        Lang::Fr => format!(
            "Ouvrir {n} site(s) — {names}, dans cet ordre — ajouterait {add} kg CO₂e évités par an{range} aux {existing} kg que les {m} centres existants font déjà éviter, ainsi que {km} km et {hours} heures de trajet par an. Ce choix apporte au moins {pct} de ce que le meilleur ensemble de {n} site(s) pourrait apporter (objectif : {objective})."
        ),
        Lang::Nl => format!(
            "{n} site(s) openen — {names}, in die volgorde — zou {add} kg vermeden CO₂e per jaar toevoegen{range} aan de {existing} kg die de {m} bestaande centra al doen vermijden, en {km} km en {hours} reisuren per jaar. Deze keuze levert minstens {pct} van wat de beste set van {n} site(s) zou kunnen opleveren (doel: {objective})."
        ),
        Lang::En => format!(
            "Opening {n} site(s) — {names}, in that order — would add {add} kg CO₂e avoided a year{range} to the {existing} kg the {m} existing centers already avoid, and {km} km and {hours} hours of travel a year. This choice brings at least {pct} of what the best set of {n} site(s) could bring (objective: {objective})."
        ),
    }
}

/// Builds the planner's report: which sites to open next, in what order, and what each adds.
pub fn plan(r: &PlanReport) -> Result<Doc, String> {
    let lang = r.lang;
    let mut b = B { lang, blocks: Vec::new(), charts: Vec::new() };
    let k = r.k_anonymity;
    let title =
        tr(lang, "Où ouvrir les prochains centres", "Waar de volgende centra openen", "Where to open the next centers");
    let subtitle = format!(
        "{} · {} {} – {}",
        r.study_name,
        tr(lang, "données du", "gegevens van", "data from"),
        date_long(lang, &r.period_from),
        date_long(lang, &r.period_to)
    );
    let footer = format!("{title} — {}", r.study_name);
    // Running totals of the chosen sites (view `plan_opening_curve`), in opening order.
    let cumulate = |f: fn(&PlanCumulative) -> f64| -> Vec<f64> {
        r.chosen.iter().map(|s| s.cumulative.as_ref().map_or(0.0, f)).collect()
    };
    let cum_kg = cumulate(|c| c.co2e_kg_per_year);
    let cum_low = cumulate(|c| c.co2e_kg_per_year_low);
    let cum_high = cumulate(|c| c.co2e_kg_per_year_high);
    let cum_km = cumulate(|c| c.km_per_year);
    let cum_h = cumulate(|c| c.hours_per_year);
    let last = |v: &[f64]| v.last().copied().unwrap_or(0.0);
    let added = [last(&cum_kg), last(&cum_low), last(&cum_high)];
    b.blocks.push(Block::Summary { text: plan_summary(&b, r, added) });

    b.heading(b.tr("Chiffres clés", "Kerncijfers", "Key figures"));
    let per_year = b.tr("par an", "per jaar", "a year");
    let uptake_kpi = if r.uptake.fitted {
        Kpi {
            value: format!(
                "{}\u{a0}{}",
                b.n(r.uptake.max_days_per_year.unwrap_or(0.0), 1),
                b.tr("j/an", "d/jaar", "d/yr")
            ),
            label: format!(
                "{} (± {}; R² {})",
                b.tr(
                    "adoption ajustée sur les badges : jours par personne et par an à saturation",
                    "opname gefit op de badges: dagen per persoon en per jaar bij verzadiging",
                    "uptake fitted on the badge logs: days per person a year at saturation",
                ),
                b.n(r.uptake.max_days_se.unwrap_or(0.0), 1),
                b.n(r.uptake.r2.unwrap_or(0.0), 2)
            ),
        }
    } else {
        Kpi {
            value: format!(
                "{}\u{a0}{}",
                b.n(r.uptake.fixed_days_per_year.unwrap_or(0.0), 0),
                b.tr("j/an", "d/jaar", "d/yr")
            ),
            label: b.tr(
                "adoption fixe : jours en centre par personne et par an (sans fourchette)",
                "vaste opname: centrumdagen per persoon en per jaar (zonder marge)",
                "fixed uptake: center days per person a year (no range)",
            ),
        }
    };
    b.blocks.push(Block::Kpis {
        items: vec![
            Kpi {
                value: b.i(r.chosen.len() as u64),
                label: b.tr("sites à ouvrir", "te openen sites", "sites to open"),
            },
            Kpi { value: format!("+{}", b.kg(added[0])), label: format!("{} {per_year}", b.t("co2e_avoided_label")) },
            Kpi {
                value: format!("+{}\u{a0}km", b.n(last(&cum_km), 0)),
                label: format!("{} {per_year}", b.t("km_avoided")),
            },
            Kpi { value: format!("+{}", b.h(last(&cum_h))), label: format!("{} {per_year}", b.t("hours_avoided")) },
            Kpi {
                value: b.kg(r.co2e_kg_per_year_plan),
                label: format!(
                    "{} {} ({}: {})",
                    b.t("co2e_avoided_label"),
                    b.tr("par an avec le plan", "per jaar met het plan", "a year with the plan"),
                    b.tr("réseau existant", "bestaand netwerk", "existing network"),
                    b.kg(r.co2e_kg_per_year_existing)
                ),
            },
            Kpi {
                value: b.kg(r.co2e_kg_per_year_plan_capped),
                label: b.tr(
                    "la même chose, la demande au-delà des postes étant plafonnée",
                    "hetzelfde, met de vraag boven de werkplekken afgetopt",
                    "the same, demand above the desks capped",
                ),
            },
            Kpi {
                value: format!("≤\u{a0}{}", b.pct(r.max_gap_pct)),
                label: b.tr(
                    "écart maximal à la meilleure solution (borne du solveur)",
                    "maximale afstand tot de beste oplossing (grens van de solver)",
                    "most the answer can miss of the best set (solver's bound)",
                ),
            },
            uptake_kpi,
        ],
    });

    // Opening order: the curve, then savings and use per site.
    b.heading(b.tr("Ordre d'ouverture", "Openingsvolgorde", "Opening order"));
    let kg_year = b.tr("kg CO₂e/an", "kg CO₂e/jaar", "kg CO₂e/yr");
    if !r.chosen.is_empty() {
        let band: Vec<(f64, f64)> = cum_low.iter().copied().zip(cum_high.iter().copied()).collect();
        b.chart(
            chart::curve_svg(
                lang,
                &cum_kg,
                r.uptake.fitted.then_some(band.as_slice()),
                &format!("{} ({})", b.tr("CO₂e évité en plus", "Extra vermeden CO₂e", "CO₂e avoided added"), kg_year),
            ),
            b.tr(
                "Courbe d'ouverture : kg CO₂e évités par an en plus du réseau existant, selon le nombre de sites ouverts",
                "Openingscurve: kg CO₂e per jaar vermeden bovenop het bestaande netwerk, naar het aantal geopende sites",
                "Opening curve: kg CO₂e avoided a year on top of the existing network, by number of sites opened",
            ),
        )?;
        b.note(if r.uptake.fitted {
            b.tr(
                "Bande : la même séquence avec l'adoption basse et haute (courbe ajustée ± un écart-type de ses paramètres).",
                "Band: dezelfde volgorde met lage en hoge opname (gefitte curve ± één standaardfout van haar parameters).",
                "Band: the same sequence with low and high uptake (the fitted curve ± one standard error of its parameters).",
            )
        } else {
            b.tr(
                "Adoption fixe : pas de fourchette d'adoption.",
                "Vaste opname: geen opnamemarge.",
                "Fixed uptake: no uptake range.",
            )
        });
    }
    let rows = r
        .chosen
        .iter()
        .enumerate()
        .map(|(i, s)| {
            vec![
                numbered(s),
                b.n(s.marginal_co2e_kg_per_year, 0),
                b.n(cum_kg[i], 0),
                b.n(s.marginal_km_per_year, 0),
                b.n(cum_km[i], 0),
                b.n(s.marginal_hours_per_year, 0),
                b.n(cum_h[i], 0),
            ]
        })
        .collect();
    b.table(
        vec![
            b.t("site"),
            kg_year.clone(),
            b.tr("cumul kg/an", "cumulatief kg/jaar", "cumulative kg/yr"),
            b.tr("km/an", "km/jaar", "km/yr"),
            b.tr("cumul km/an", "cumulatief km/jaar", "cumulative km/yr"),
            b.tr("heures/an", "uren/jaar", "hours/yr"),
            b.tr("cumul heures/an", "cumulatief uren/jaar", "cumulative hours/yr"),
        ],
        rows,
    );
    b.note(b.tr(
        "Chaque ligne : ce que le site ajoute quand il ouvre après ceux qui le précèdent (CO₂e, km et heures de trajet évités par an).",
        "Elke rij: wat de site toevoegt wanneer hij opent na de vorige (vermeden CO₂e, km en reisuren per jaar).",
        "Each row: what the site adds when it opens after the ones before it (CO₂e, km and travel hours avoided a year).",
    ));
    let users = |u: Option<f64>| plan_users(lang, k, u);
    let desk = |pct: Option<f64>, over: bool| plan_desk(lang, pct, over);
    let rows = r
        .chosen
        .iter()
        .map(|s| {
            vec![
                numbered(s),
                users(s.expected_users),
                b.n(s.expected_center_days_per_year, 0),
                s.desks.map_or("–".into(), |d| b.i(d)),
                desk(s.desk_use_pct, s.over_capacity),
                b.n(s.taken_from_existing_co2e_kg_per_year, 0),
            ]
        })
        .collect();
    b.table(
        vec![
            b.t("site"),
            b.tr("Utilisateurs", "Gebruikers", "Users"),
            b.tr("Jours/an", "Dagen/jaar", "Days/yr"),
            b.tr("Postes", "Werkplekken", "Desks"),
            b.tr("Occupation", "Bezetting", "Desk use"),
            b.tr("Pris aux existants kg/an", "Van bestaande kg/jaar", "Taken from existing kg/yr"),
        ],
        rows,
    );
    b.note(
        match lang {
            Lang::Fr => format!(
                "Occupation des postes = jours en centre attendus ÷ (postes × {} jours ouvrables) ; au-delà de 100 %, la demande est plafonnée dans le total « après plafond ». Utilisateurs : « < {k} » quand moins de {k} personnes.",
                b.n(r.working_days_per_year, 0)
            ),
            Lang::Nl => format!(
                "Bezetting = verwachte centrumdagen ÷ (werkplekken × {} werkdagen); boven 100 % wordt de vraag afgetopt in het totaal „na aftopping”. Gebruikers: „< {k}” bij minder dan {k} personen.",
                b.n(r.working_days_per_year, 0)
            ),
            Lang::En => format!(
                "Desk use = expected center days ÷ (desks × {} working days); above 100 %, demand is capped in the \"capped\" total. Users: \"< {k}\" when fewer than {k} people.",
                b.n(r.working_days_per_year, 0)
            ),
        },
    );

    // Low and high uptake.
    b.heading(b.tr("Selon l'adoption", "Naargelang de opname", "Under low and high uptake"));
    if r.uptake.fitted {
        let mut rows: Vec<Vec<String>> = r
            .chosen
            .iter()
            .map(|s| {
                vec![
                    numbered(s),
                    b.n(s.marginal_co2e_kg_per_year_low, 0),
                    b.n(s.marginal_co2e_kg_per_year, 0),
                    b.n(s.marginal_co2e_kg_per_year_high, 0),
                ]
            })
            .collect();
        rows.push(vec![
            b.tr("Total ajouté", "Totaal toegevoegd", "Total added"),
            b.n(added[1], 0),
            b.n(added[0], 0),
            b.n(added[2], 0),
        ]);
        rows.push(vec![
            b.tr("Réseau avec le plan", "Netwerk met het plan", "Network with the plan"),
            b.n(r.co2e_kg_per_year_plan_low, 0),
            b.n(r.co2e_kg_per_year_plan, 0),
            b.n(r.co2e_kg_per_year_plan_high, 0),
        ]);
        b.table(
            vec![
                format!("{} ({kg_year})", b.t("site")),
                b.tr("adoption basse", "lage opname", "low uptake"),
                b.tr("centrale", "centraal", "central"),
                b.tr("adoption haute", "hoge opname", "high uptake"),
            ],
            rows,
        );
        let iso = r.co2e_kg_per_year_plan_isotonic.map(|v| b.n(v, 0)).unwrap_or_else(|| "–".into());
        b.note(match lang {
            Lang::Fr => format!(
                "Même ordre d'ouverture, courbe d'adoption à ± un écart-type de ses paramètres. Avec l'adoption isotone (sans forme imposée, ajustée sur les mêmes badges), le réseau avec le plan éviterait {iso} kg CO₂e par an."
            ),
            Lang::Nl => format!(
                "Zelfde openingsvolgorde, opnamecurve op ± één standaardfout van haar parameters. Met de isotone opname (zonder opgelegde vorm, gefit op dezelfde badges) zou het netwerk met het plan {iso} kg CO₂e per jaar vermijden."
            ),
            Lang::En => format!(
                "Same opening order, uptake curve at ± one standard error of its parameters. With the isotonic uptake (no imposed shape, fitted on the same badge logs), the network with the plan would avoid {iso} kg CO₂e a year."
            ),
        });
    } else {
        b.para(match lang {
            Lang::Fr => format!(
                "L'adoption est fixée à {} jours en centre par personne et par an (plan.uptake = \"fixed\") : il n'y a pas de fourchette d'adoption. Ajuster l'adoption sur les badges de l'étude (plan.uptake = \"fitted\") en donne une.",
                b.n(r.uptake.fixed_days_per_year.unwrap_or(0.0), 0)
            ),
            Lang::Nl => format!(
                "De opname staat vast op {} centrumdagen per persoon en per jaar (plan.uptake = \"fixed\"): er is geen opnamemarge. De opname fitten op de badges van de studie (plan.uptake = \"fitted\") geeft er een.",
                b.n(r.uptake.fixed_days_per_year.unwrap_or(0.0), 0)
            ),
            Lang::En => format!(
                "Uptake is fixed at {} center days per person a year (plan.uptake = \"fixed\"): there is no uptake range. Fitting the uptake on the study's badge logs (plan.uptake = \"fitted\") gives one.",
                b.n(r.uptake.fixed_days_per_year.unwrap_or(0.0), 0)
            ),
        });
    }

    if let Some(m) = &r.map {
        plan_map_section(&mut b, m, k)?;
    }

    // Cannibalisation.
    b.heading(b.tr(
        "Ce que chaque nouveau site prend aux sites existants",
        "Wat elke nieuwe site van de bestaande sites wegneemt",
        "What each new site takes from the existing ones",
    ));
    b.para(b.tr(
        "Une partie des utilisateurs d'un nouveau site utilisait déjà un centre existant : les économies qu'ils y faisaient ne sont pas ajoutées par le nouveau site (cannibalisation). Par site existant :",
        "Een deel van de gebruikers van een nieuwe site gebruikte al een bestaand centrum: de besparing die ze daar maakten, voegt de nieuwe site niet toe (kannibalisatie). Per bestaande site:",
        "Some users of a new site already used an existing center: the savings they made there are not added by the new site (cannibalisation). Per existing site:",
    ));
    let mut rows = Vec::new();
    let mut hidden = 0;
    for s in &r.chosen {
        let from = |existing: &str| format!("{} ← {existing}", numbered(s));
        if s.taken_from.is_empty() {
            rows.push(vec![
                from(&b.tr("aucun site existant", "geen bestaande site", "no existing site")),
                b.n(0.0, 0),
                b.n(0.0, 0),
            ]);
            continue;
        }
        for t in &s.taken_from {
            match t {
                Some(t) => rows.push(vec![from(&t.existing_name), b.n(t.co2e_kg_per_year, 0), b.n(t.users, 0)]),
                None => hidden += 1,
            }
        }
        let shown: f64 = s.taken_from.iter().flatten().map(|t| t.co2e_kg_per_year).sum();
        if s.taken_from.iter().any(Option::is_none) {
            rows.push(vec![
                from(&b.tr("autres sites (masqués)", "andere sites (verborgen)", "other sites (hidden)")),
                b.n(s.taken_from_existing_co2e_kg_per_year - shown, 0),
                String::new(),
            ]);
        }
    }
    b.table(
        vec![
            b.tr("Nouveau site ← site existant", "Nieuwe site ← bestaande site", "New site ← existing site"),
            kg_year.clone(),
            b.tr("Utilisateurs", "Gebruikers", "Users"),
        ],
        rows,
    );
    b.suppressed_note(hidden, k);
    b.heading(b.tr(
        "Sites existants avant et après le plan",
        "Bestaande sites voor en na het plan",
        "Existing sites before and after the plan",
    ));
    let rows = r
        .existing
        .iter()
        .map(|e| {
            vec![
                e.name.clone(),
                e.desks.map_or("–".into(), |d| b.i(d)),
                b.n(e.center_days_before, 0),
                b.n(e.center_days_after, 0),
                b.n(e.co2e_kg_per_year_before, 0),
                b.n(e.co2e_kg_per_year_after, 0),
                desk(e.desk_use_pct_after, e.over_capacity_after),
            ]
        })
        .collect();
    b.table(
        vec![
            b.t("site"),
            b.tr("Postes", "Werkplekken", "Desks"),
            b.tr("Jours/an avant", "Dagen/jaar voor", "Days/yr before"),
            b.tr("Jours/an après", "Dagen/jaar na", "Days/yr after"),
            b.tr("kg/an avant", "kg/jaar voor", "kg/yr before"),
            b.tr("kg/an après", "kg/jaar na", "kg/yr after"),
            b.tr("Occupation après", "Bezetting na", "Desk use after"),
        ],
        rows,
    );
    b.note(b.tr(
        "Jours et kg attendus selon la courbe d'adoption, pour tous les employés des entreprises membres (avant : sites existants seuls).",
        "Verwachte dagen en kg volgens de opnamecurve, voor alle werknemers van de lidbedrijven (voor: enkel de bestaande sites).",
        "Days and kg expected from the uptake curve, for every employee of the member companies (before: existing sites only).",
    ));

    // Runners-up.
    if !r.runners_up.is_empty() {
        b.heading(b.tr(
            "Meilleurs candidats non retenus",
            "Beste niet-gekozen kandidaten",
            "Best candidates not chosen",
        ));
        let rows = r
            .runners_up
            .iter()
            .map(|s| {
                vec![
                    match s.source.as_str() {
                        "csv" => format!("{} ({})", s.name, b.tr("fichier", "bestand", "file")),
                        _ => s.name.clone(),
                    },
                    b.n(s.marginal_co2e_kg_per_year, 0),
                    users(s.expected_users),
                    desk(s.desk_use_pct, s.over_capacity),
                    b.n(s.taken_from_existing_co2e_kg_per_year, 0),
                ]
            })
            .collect();
        b.table(
            vec![
                b.tr("Candidat", "Kandidaat", "Candidate"),
                b.tr("kg CO₂e/an si ajouté", "kg CO₂e/jaar indien toegevoegd", "kg CO₂e/yr if added"),
                b.tr("Utilisateurs", "Gebruikers", "Users"),
                b.tr("Occupation", "Bezetting", "Desk use"),
                b.tr("Pris aux existants kg/an", "Van bestaande kg/jaar", "Taken from existing kg/yr"),
            ],
            rows,
        );
        b.note(b.tr(
            "Ce que chaque candidat ajouterait s'il ouvrait en plus des sites retenus ; un candidat proche d'un site retenu ajoute peu, même s'il aurait été bon seul. « (fichier) » : candidat du fichier de candidats ; les autres sont des communes.",
            "Wat elke kandidaat zou toevoegen als hij bovenop de gekozen sites opende; een kandidaat dicht bij een gekozen site voegt weinig toe, ook al was hij alleen goed geweest. „(bestand)”: kandidaat uit het kandidatenbestand; de andere zijn gemeenten.",
            "What each candidate would add if it opened on top of the chosen sites; a candidate close to a chosen site adds little, even if it would have been good alone. \"(file)\": a candidate from the candidates file; the others are municipalities.",
        ));
    }

    plan_appendix(&mut b, r)?;
    Ok(Doc {
        lang: lang.code(),
        title,
        subtitle,
        footer,
        date: r.period_to.clone(),
        blocks: b.blocks,
        charts: b.charts,
    })
}

/// A chosen site's name with its opening order: `1. Liège`.
fn numbered(s: &PlanSite) -> String {
    match s.open_order {
        Some(o) => format!("{o}. {}", s.name),
        None => s.name.clone(),
    }
}

/// Expected users, `< k` when fewer than k.
fn plan_users(lang: Lang, k: u32, u: Option<f64>) -> String {
    u.map_or_else(|| format!("< {k}"), |u| format_number(u, 0, lang))
}

/// Desk use, flagged when demand is above the desks.
fn plan_desk(lang: Lang, pct: Option<f64>, over: bool) -> String {
    pct.map_or("–".into(), |p| {
        format!(
            "{}\u{a0}%{}",
            format_number(p, 1, lang),
            if over { tr(lang, " (plein)", " (vol)", " (over)") } else { String::new() }
        )
    })
}

fn plan_map_section(b: &mut B, m: &PlanMap, k: u32) -> Result<(), String> {
    b.heading(b.tr(
        "Carte : candidats, sites retenus et bassins",
        "Kaart: kandidaten, gekozen sites en verzorgingsgebieden",
        "Map: candidates, chosen sites and catchments",
    ));
    let alt = b.tr(
        "Carte : sites existants, sites retenus numérotés dans l'ordre d'ouverture, autres candidats, et cellules de domicile colorées selon le site utilisé",
        "Kaart: bestaande sites, gekozen sites genummerd in openingsvolgorde, andere kandidaten, en woningcellen gekleurd naar de gebruikte site",
        "Map: existing sites, chosen sites numbered in opening order, other candidates, and home cells coloured by the site used",
    );
    b.chart(map::plan_map_svg(b.lang, m), alt)?;
    let (shown, hidden, people) = (m.cells.len(), m.cells_hidden, m.employees_hidden);
    let roads = roads_credit(b, !m.background.roads.is_empty());
    b.note(match b.lang {
        Lang::Fr => format!(
            "Domiciles des employés qui utiliseraient un centre avec le plan, agrégés dans la grille Eurostat de 1 km (ETRS89-LAEA) dans le pipeline ; aucun domicile n'en sort. Couleur : le site (nouveau, numéroté, ou existant en vert) où vont la plupart de leurs jours en centre ; teinte : jours en centre attendus par km². Une cellule de moins de {k} personnes est regroupée dans la cellule de 2, 10, 20 puis 40 km qui la contient. {shown} cellule(s) affichée(s) (au moins {k} personnes chacune) ; {hidden} cellule(s) masquée(s) ({people} personnes au total).{roads}"
        ),
        Lang::Nl => format!(
            "Woonplaatsen van de werknemers die met het plan een centrum zouden gebruiken, in de pijplijn samengevoegd in het Eurostat-raster van 1 km (ETRS89-LAEA); geen enkel adres verlaat die. Kleur: de site (nieuw, genummerd, of bestaand in het groen) waar de meeste van hun centrumdagen naartoe gaan; tint: verwachte centrumdagen per km². Een cel met minder dan {k} personen gaat op in de omliggende cel van 2, 10, 20 en dan 40 km. {shown} cel(len) getoond (elk minstens {k} personen); {hidden} cel(len) verborgen ({people} personen samen).{roads}"
        ),
        Lang::En => format!(
            "Homes of the employees who would use a center with the plan, aggregated to the Eurostat 1 km grid (ETRS89-LAEA) inside the pipeline; no home leaves it. Colour: the site (new, numbered, or existing in green) most of their center days go to; shade: expected center days per km². A cell of fewer than {k} people is merged into the enclosing 2, 10, 20, then 40 km cell. {shown} cell(s) shown (at least {k} people each); {hidden} cell(s) hidden ({people} people in all).{roads}"
        ),
    });
    Ok(())
}

fn plan_appendix(b: &mut B, r: &PlanReport) -> Result<(), String> {
    let lang = b.lang;
    let k = r.k_anonymity;
    b.heading(b.tr("Annexe — méthode", "Bijlage — methode", "Appendix — method"));
    let rebound = b.pct(100.0 * r.rebound_share);
    let boundary = b.t(&format!("boundary_{}", r.boundary));
    let cutoff = b.n(r.cutoff_km, 0);
    b.para(match lang {
        Lang::Fr => format!(
            "Économie d'un jour en centre. Pour chaque employé des entreprises membres (utilisateur ou non) et chaque site existant ou candidat à moins de {cutoff} km à vol d'oiseau de son domicile, l'économie d'un jour en centre par rapport à un jour au bureau est calculée par la même fonction que le potentiel des employés (table employee_potential) : trajets calculés comme ceux de l'analyse (routés sur les routes et les horaires de l'étude, ou par les gares, quand elle en a ; estimés sinon), arrondis au km, facteurs d'émission de l'étude, périmètre {boundary}, moins la part de rebond ({rebound}). Les sites existants restent ouverts : chacun utilise le meilleur des sites existants et retenus."
        ),
        Lang::Nl => format!(
            "Besparing van een centrumdag. Voor elke werknemer van de lidbedrijven (gebruiker of niet) en elke bestaande of kandidaat-site binnen {cutoff} km in vogelvlucht van de woning wordt de besparing van een centrumdag tegenover een kantoordag berekend met dezelfde functie als het potentieel van de werknemers (tabel employee_potential): ritten zoals de analyse ze berekent (gerouteerd over de wegen en dienstregelingen van de studie, of via stations, als ze die heeft; anders geschat), afgerond op de km, emissiefactoren van de studie, systeemgrens {boundary}, min het rebound-aandeel ({rebound}). Bestaande sites blijven open: elkeen gebruikt de beste van de bestaande en gekozen sites."
        ),
        Lang::En => format!(
            "Saving of a center day. For every employee of the member companies (user or not) and every existing or candidate site within {cutoff} km great-circle of home, the saving of a center day against an office day comes from the function that gives the employees' potential (table employee_potential): legs as the run computes them (routed on the study's roads and timetables, or through stations, when it has them; estimated otherwise), rounded to the km, the study's emission factors, {boundary} boundary, less the rebound share ({rebound}). Existing sites stay open: each person uses the best of the existing and chosen sites."
        ),
    });
    let u = &r.uptake;
    b.para(if u.fitted {
        let (a, ase, rate, rse) = (
            b.n(u.max_days_per_year.unwrap_or(0.0), 1),
            b.n(u.max_days_se.unwrap_or(0.0), 1),
            b.n(u.rate_per_hour.unwrap_or(0.0), 3),
            b.n(u.rate_se.unwrap_or(0.0), 3),
        );
        let (r2, rmse, n, mean) = (
            b.n(u.r2.unwrap_or(0.0), 3),
            b.n(u.rmse_days_per_year.unwrap_or(0.0), 1),
            b.i(u.observations),
            b.n(u.observed_mean_days_per_year, 1),
        );
        match lang {
            Lang::Fr => format!(
                "Adoption. Jours en centre par personne et par an = {a} (± {ase}) × (1 − exp(−{rate} (± {rse}) × heures gagnées par jour)), ajustée sur les badges de l'étude ({n} employés, utilisateurs ou non ; {mean} jours par an en moyenne, jours observés annualisés sur {} jours ouvrables) : R² {r2}, erreur quadratique moyenne {rmse} jours par personne et par an. Les variantes basse et haute prennent les paramètres à ± un écart-type.",
                b.n(r.working_days_per_year, 0)
            ),
            Lang::Nl => format!(
                "Opname. Centrumdagen per persoon en per jaar = {a} (± {ase}) × (1 − exp(−{rate} (± {rse}) × gewonnen uren per dag)), gefit op de badges van de studie ({n} werknemers, gebruikers of niet; gemiddeld {mean} dagen per jaar, waargenomen dagen omgerekend naar {} werkdagen): R² {r2}, RMSE {rmse} dagen per persoon en per jaar. De lage en hoge varianten nemen de parameters op ± één standaardfout.",
                b.n(r.working_days_per_year, 0)
            ),
            Lang::En => format!(
                "Uptake. Center days per person a year = {a} (± {ase}) × (1 − exp(−{rate} (± {rse}) × hours saved per day)), fitted on the study's badge logs ({n} employees, users and non-users; {mean} days a year on average, observed days annualised to {} working days): R² {r2}, RMSE {rmse} days per person a year. The low and high variants take the parameters at ± one standard error.",
                b.n(r.working_days_per_year, 0)
            ),
        }
    } else {
        let d = b.n(u.fixed_days_per_year.unwrap_or(0.0), 0);
        match lang {
            Lang::Fr => format!(
                "Adoption fixe : {d} jours en centre par personne et par an partout où un site fait gagner du temps."
            ),
            Lang::Nl => format!("Vaste opname: {d} centrumdagen per persoon en per jaar overal waar een site tijd wint."),
            Lang::En => format!("Fixed uptake: {d} center days per person a year wherever a site saves time."),
        }
    });
    let wd = b.n(r.working_days_per_year, 0);
    b.para(match lang {
        Lang::Fr => format!(
            "Capacité. Plafond d'un site = postes × {wd} jours ouvrables (un candidat sans nombre de postes en reçoit {}). La demande au-delà est signalée (« plein ») et ramenée au plafond dans le total « après plafond » ; l'ordre d'ouverture est choisi sur la demande non plafonnée.",
            b.i(r.desks_default)
        ),
        Lang::Nl => format!(
            "Capaciteit. Plafond van een site = werkplekken × {wd} werkdagen (een kandidaat zonder aantal werkplekken krijgt er {}). De vraag erboven wordt gemarkeerd („vol”) en afgetopt in het totaal „na aftopping”; de openingsvolgorde wordt gekozen op de niet-afgetopte vraag.",
            b.i(r.desks_default)
        ),
        Lang::En => format!(
            "Capacity. A site's ceiling = desks × {wd} working days (a candidate without a desk count gets {}). Demand above it is flagged (\"over\") and capped in the \"capped\" total; the opening order is chosen on the uncapped demand.",
            b.i(r.desks_default)
        ),
    });
    let (objective, swaps, gap) = (objective_name(lang, &r.objective), b.i(r.swaps), b.pct(r.max_gap_pct));
    let (base, chosen, bound) = (b.n(r.baseline_objective, 0), b.n(r.chosen_objective, 0), b.n(r.upper_bound, 0));
    b.para(match lang {
        Lang::Fr => format!(
            "Solveur. Glouton paresseux : ouvre à chaque étape le candidat qui ajoute le plus ({objective}) ; l'ordre d'ouverture est celui du glouton, chaque site ajoutant sa part marginale (Nemhauser, Wolsey et Fisher 1978 : à au moins 1 − 1/e de l'optimum ; Minoux 1978). Passe d'échanges : un site retenu est remplacé par un autre tant que cela améliore le total ({swaps} échange(s) ; Teitz et Bart 1968, échange rapide de Whitaker 1983). Borne : relaxation lagrangienne de la localisation d'installations (Cornuéjols, Fisher et Nemhauser 1977). Objectif par an : réseau existant {base}, avec le plan {chosen}, meilleur ensemble possible au plus {bound} : le plan manque au plus {gap} de ce que le meilleur ensemble ajouterait."
        ),
        Lang::Nl => format!(
            "Solver. Luie gretige methode: opent bij elke stap de kandidaat die het meest toevoegt ({objective}); de openingsvolgorde is die van de gretige methode, elke site met zijn marginale bijdrage (Nemhauser, Wolsey en Fisher 1978: minstens 1 − 1/e van het optimum; Minoux 1978). Ruilronde: een gekozen site wordt door een andere vervangen zolang dat het totaal verbetert ({swaps} ruil(en); Teitz en Bart 1968, snelle ruil van Whitaker 1983). Grens: Lagrange-relaxatie van de locatiekeuze (Cornuéjols, Fisher en Nemhauser 1977). Doel per jaar: bestaand netwerk {base}, met het plan {chosen}, beste mogelijke set hoogstens {bound}: het plan mist hoogstens {gap} van wat de beste set zou toevoegen."
        ),
        Lang::En => format!(
            "Solver. Lazy greedy: each step opens the candidate that adds most ({objective}); the opening order is the greedy's, each site with its marginal share (Nemhauser, Wolsey and Fisher 1978: within 1 − 1/e of the optimum; Minoux 1978). Swap pass: a chosen site is exchanged for another while that raises the total ({swaps} swap(s); Teitz and Bart 1968, Whitaker's fast interchange 1983). Bound: Lagrangian relaxation of facility location (Cornuéjols, Fisher and Nemhauser 1977). Objective a year: existing network {base}, with the plan {chosen}, best possible set at most {bound}: the plan misses at most {gap} of what the best set would add."
        ),
    });
    b.blocks.push(Block::List {
        items: vec![
            format!("{}{} {}", b.t("boundary"), b.t("colon"), boundary),
            format!("{}{} {}", b.t("factor_set"), b.t("colon"), r.factor_set),
            match lang {
                Lang::Fr => format!(
                    "Demande : {} employés, {} sites existants, {} économies (employé × site) stockées",
                    b.i(r.employees),
                    b.i(r.existing_sites),
                    b.i(r.demand_entries)
                ),
                Lang::Nl => format!(
                    "Vraag: {} werknemers, {} bestaande sites, {} opgeslagen besparingen (werknemer × site)",
                    b.i(r.employees),
                    b.i(r.existing_sites),
                    b.i(r.demand_entries)
                ),
                Lang::En => format!(
                    "Demand: {} employees, {} existing sites, {} stored (employee × site) savings",
                    b.i(r.employees),
                    b.i(r.existing_sites),
                    b.i(r.demand_entries)
                ),
            },
            format!(
                "{}{} {} ({} {}, {} {} ; {} {})",
                b.tr("Candidats", "Kandidaten", "Candidates"),
                b.t("colon"),
                b.i(r.candidates_csv + r.candidates_generated),
                b.i(r.candidates_csv),
                b.tr("du fichier", "uit het bestand", "from the file"),
                b.i(r.candidates_generated),
                b.tr("communes", "gemeenten", "municipalities"),
                b.i(r.candidate_rejects),
                b.tr("lignes rejetées", "geweigerde rijen", "rows rejected"),
            )
            .replace(" ; ", if lang == Lang::Fr { " ; " } else { "; " }),
            format!(
                "{}{} {}",
                b.tr(
                    "Sites au-delà de leurs postes avec le plan",
                    "Sites boven hun werkplekken met het plan",
                    "Sites over their desks with the plan"
                ),
                b.t("colon"),
                b.i(r.sites_over_capacity)
            ),
            i18n::text(lang, "k_rule").replace("{k}", &k.to_string()),
        ],
    });

    if u.fitted && !u.bins.is_empty() {
        b.heading(b.tr(
            "Adoption : prévu et observé",
            "Opname: voorspeld en waargenomen",
            "Uptake: predicted and observed",
        ));
        b.chart(
            chart::uptake_svg(lang, &u.bins),
            b.tr(
                "Jours en centre par personne et par an selon les heures gagnées : observés, courbe ajustée, ajustement isotone",
                "Centrumdagen per persoon en per jaar naar gewonnen uren: waargenomen, gefitte curve, isotone fit",
                "Center days per person a year by hours saved: observed, fitted curve, isotonic fit",
            ),
        )?;
        let rows = u
            .bins
            .iter()
            .map(|x| {
                vec![
                    format!("{}–{}", b.n(x.hours_saved_min, 2), b.n(x.hours_saved_max, 2)),
                    b.i(x.employees),
                    b.n(x.observed_days_per_year, 1),
                    b.n(x.predicted_days_per_year, 1),
                    b.n(x.predicted_days_per_year - x.observed_days_per_year, 1),
                    b.n(x.isotonic_days_per_year, 1),
                ]
            })
            .collect();
        b.table(
            vec![
                b.tr("Heures gagnées par jour", "Gewonnen uren per dag", "Hours saved per day"),
                b.tr("Employés", "Werknemers", "Employees"),
                b.tr("observé j/an", "waargenomen d/jaar", "observed d/yr"),
                b.tr("prévu j/an", "voorspeld d/jaar", "predicted d/yr"),
                b.tr("erreur", "fout", "error"),
                b.tr("isotone j/an", "isotoon d/jaar", "isotonic d/yr"),
            ],
            rows,
        );
        b.note(b.tr(
            "Employés répartis en tranches d'effectif égal selon les heures qu'un jour au meilleur site existant leur fait gagner ; moyennes par personne.",
            "Werknemers in schijven van gelijke omvang volgens de uren die een dag op de beste bestaande site hen doet winnen; gemiddelden per persoon.",
            "Employees in equal-count bins of the hours a day at their best existing site saves them; means per person.",
        ));
    }
    if !r.existing.is_empty() {
        b.heading(b.tr(
            "Sites existants : utilisation prévue et observée",
            "Bestaande sites: voorspeld en waargenomen gebruik",
            "Existing sites: predicted and observed use",
        ));
        let mut hidden = 0;
        let rows = r
            .existing
            .iter()
            .map(|e| {
                let (obs, err) = match e.observed_center_days_per_year {
                    Some(o) => (
                        b.n(o, 0),
                        if o > 0.0 {
                            format!(
                                "{}{}",
                                if e.center_days_before >= o { "+" } else { "" },
                                b.pct(100.0 * (e.center_days_before - o) / o)
                            )
                        } else {
                            "–".into()
                        },
                    ),
                    None => {
                        hidden += 1;
                        (b.hidden(), String::new())
                    }
                };
                vec![e.name.clone(), obs, b.n(e.center_days_before, 0), err]
            })
            .collect();
        b.table(
            vec![
                b.t("site"),
                b.tr("observé j/an", "waargenomen d/jaar", "observed d/yr"),
                b.tr("prévu j/an", "voorspeld d/jaar", "predicted d/yr"),
                b.tr("écart", "afwijking", "difference"),
            ],
            rows,
        );
        b.note(b.tr(
            "Observé : jours en centre remplaçant un jour au bureau dont c'est le site principal, annualisés. Prévu : la courbe d'adoption sur les sites existants seuls. L'ordre d'ouverture est plus fiable que le nombre d'utilisateurs attendu d'un site donné.",
            "Waargenomen: centrumdagen die een kantoordag vervangen met deze site als hoofdsite, omgerekend naar een jaar. Voorspeld: de opnamecurve op enkel de bestaande sites. De openingsvolgorde is betrouwbaarder dan het verwachte aantal gebruikers van één site.",
            "Observed: center days replacing an office day with the site as main site, annualised. Predicted: the uptake curve on the existing sites alone. The opening order is more trustworthy than any one site's expected users.",
        ));
        b.suppressed_note(hidden, k);
    }
    b.heading(b.tr("Sources", "Bronnen", "Sources"));
    b.blocks.push(Block::List {
        items: vec![
            "G. L. Nemhauser, L. A. Wolsey, M. L. Fisher (1978), An analysis of approximations for maximizing submodular set functions — I, Mathematical Programming 14, 265–294.".into(),
            "M. Minoux (1978), Accelerated greedy algorithms for maximizing submodular set functions, Optimization Techniques, LNCIS 7, 234–243.".into(),
            "M. B. Teitz, P. Bart (1968), Heuristic methods for estimating the generalized vertex median of a weighted graph, Operations Research 16(5), 955–961.".into(),
            "R. A. Whitaker (1983), A fast algorithm for the greedy interchange for large-scale clustering and median location problems, INFOR 21(2), 95–108.".into(),
            "G. Cornuéjols, M. L. Fisher, G. L. Nemhauser (1977), Location of bank accounts to optimize float, Management Science 23(8), 789–810.".into(),
            b.tr(
                "Grille Eurostat GEOSTAT de 1 km (ETRS89-LAEA, EPSG:3035) ; communes : Statbel, GeoNames ; limites des cantons judiciaires : IGN.",
                "Eurostat GEOSTAT-raster van 1 km (ETRS89-LAEA, EPSG:3035); gemeenten: Statbel, GeoNames; grenzen van de gerechtelijke kantons: NGI.",
                "Eurostat GEOSTAT 1 km grid (ETRS89-LAEA, EPSG:3035); municipalities: Statbel, GeoNames; judicial canton boundaries: NGI.",
            ),
        ],
    });
    b.note(b.t("avoided_note"));
    Ok(())
}
