//! A report as a document: headings, paragraphs, figures, tables and charts with every number
//! already formatted for the reader's language. The HTML (minijinja) and the PDF (typst) are two
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
    let roads = if m.roads.is_empty() {
        String::new()
    } else {
        b.tr(
            " Routes principales : © les contributeurs d'OpenStreetMap (ODbL).",
            " Hoofdwegen: © OpenStreetMap-bijdragers (ODbL).",
            " Main roads: © OpenStreetMap contributors (ODbL).",
        )
    };
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
