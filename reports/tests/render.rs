//! Report rendering: the same content in HTML and PDF, languages, privacy notes, self-contained
//! pages, deterministic bytes, and the pages checked by real tools (headless Chromium,
//! pdftotext) when they are installed (`./dev test` requires them).

use std::path::Path;
use std::process::Command;

use navette_reports::*;

fn appendix() -> Appendix {
    Appendix {
        boundary: "wtw".into(),
        factor_set: "be-2025+0123456789ab".into(),
        factors: vec![FactorRow {
            mode: "car".into(),
            fuel: "diesel".into(),
            size: "average".into(),
            component: "ttw".into(),
            value_kg: 0.17304,
            unit: "vkm".into(),
            source: "UK DESNZ GHG conversion factors 2025 (Passenger vehicles)".into(),
            year: 2025,
            legs: 12,
        }],
        detours: vec![DetourRow { mode: "car".into(), from_km: 0.0, detour: 1.3, speed_kmh: 50.0 }],
        legs_routed: 0,
        legs_estimated: 24,
        legs_stations: 0,
        min_hours_office_day: 4.0,
        rebound_share: 0.0,
        k_anonymity: 5,
        rows_read: 10_000,
        rows_rejected: 12,
        reasons: vec![("unknown_card".into(), 8), ("bad_timestamp".into(), 4)],
        unknown_cards: 8,
        homes_from_postcode: 3,
        employees: 12,
        spread: vec![SpreadRow {
            kind: "factor".into(),
            key: "car".into(),
            low_ratio: 0.856,
            high_ratio: 1.356,
            source: "UK DESNZ 2025 car sizes".into(),
        }],
    }
}

fn month(m: &str, employees: u64, base: f64, act: f64, hours: f64, cum: f64) -> (String, Option<MonthRow>) {
    (
        m.into(),
        Some(MonthRow {
            month: m.into(),
            employees_active: employees,
            co2e_kg_baseline: base,
            co2e_kg_actual: act,
            center_hours: hours,
            center_hours_cumulated: cum,
            km_avoided: 1000.0,
        }),
    )
}

fn map() -> MapData {
    MapData {
        sites: vec![MapPoint { label: "Louvain-la-Neuve Centre".into(), east_m: 3_925_000.0, north_m: 3_070_000.0 }],
        background: std::sync::Arc::new(MapBackground {
            places: vec![(3_930_000.0, 3_060_000.0)],
            outlines: vec![vec![(3_915_000.0, 3_055_000.0), (3_940_000.0, 3_058_000.0), (3_930_000.0, 3_080_000.0)]],
            roads: Vec::new(),
        }),
        cells: vec![MapCell { east_m: 3_920_000.0, north_m: 3_065_000.0, size_m: 1000.0, employees: 6 }],
        cells_hidden: 3,
        employees_hidden: 6,
    }
}

fn report(lang: Lang) -> CompanyReport {
    CompanyReport {
        lang,
        study_name: "Test study".into(),
        company_name: "Acme <& Co>".into(),
        quarter: "2026-Q1".into(),
        headline: Some(Headline {
            employees_active: 12,
            center_days: 140,
            office_days_replaced: 121,
            center_hours: 1012.5,
            package_hours: Some(1200.0),
            package_used_pct: Some(84.375),
            km_avoided: 6543.21,
            hours_avoided: 98.7,
            co2e_kg_baseline: 1450.0,
            co2e_kg_actual: 310.5,
            co2e_kg_avoided: 1139.5,
        }),
        ytd: None,
        package: Some(Package {
            package_hours: 1200.0,
            used_hours: 1012.5,
            projected_hours: 1012.5,
            as_of: "2026-03-31".into(),
            working_days_observed: 64,
            working_days_remaining: 0,
        }),
        sites: vec![
            Some(SiteRow {
                site_name: "Louvain-la-Neuve Centre".into(),
                employees_active: 9,
                center_days: 100,
                office_days_replaced: 90,
                center_hours: 720.0,
                km_avoided: 5000.0,
                co2e_kg_avoided: 900.0,
            }),
            None,
        ],
        modes: vec![
            Some(ModeRow {
                mode: "car".into(),
                employees_active: 7,
                center_days: 90,
                km_avoided: 5000.0,
                co2e_kg_avoided: 1000.0,
            }),
            None,
        ],
        months: vec![
            month("2026-01", 10, 500.0, 100.0, 400.0, 400.0),
            month("2026-02", 11, 450.0, 110.0, 350.0, 750.0),
            ("2026-03".into(), None),
        ],
        co2e_bands: vec![Some(BandRow { from: Some(50.0), to: Some(100.0), employees: 7 }), None, None],
        day_bands: vec![Some(BandRow { from: Some(13.0), to: None, employees: 12 })],
        uncertainty: Some(Uncertainty {
            low_kg: 800.0,
            central_kg: 1139.5,
            high_kg: 1500.0,
            gross_kg: 1139.5,
            after_ademe_rebound_kg: 786.255,
            rebound_share_in_run: 0.0,
        }),
        energy: Some(Energy {
            center_hours: 1200.0,
            center_kwh: 1052.0,
            center_co2e_kg: 193.8,
            office_shrinks: false,
            office_kwh_saved: 0.0,
            office_co2e_kg_saved: 0.0,
            home_co2e_kg_alternative: 400.5,
            commute_co2e_kg_avoided: 1139.5,
            parameters: vec![EnergyParameterRow {
                name: "home_kg_per_hour".into(),
                value: 0.33378,
                unit: "kg CO2e/hour".into(),
                source: "UK DESNZ GHG conversion factors 2025, homeworking".into(),
            }],
        }),
        map: Some(map()),
        visits_missing_out: 3,
        visits: 160,
        homes_from_postcode_pct: 25.0,
        appendix: appendix(),
    }
}

fn network(lang: Lang) -> NetworkReport {
    let totals = |q: &str, co2: f64| NetworkTotals {
        quarter: q.into(),
        employees_active: 40,
        companies_active: 3,
        sites_active: 4,
        center_days: 600,
        office_days_replaced: 500,
        center_hours: 4200.0,
        km_avoided: 30_000.0,
        hours_avoided: 400.0,
        co2e_kg_baseline: 6000.0,
        co2e_kg_actual: 1000.0,
        co2e_kg_avoided: co2,
    };
    NetworkReport {
        lang,
        study_name: "Test study".into(),
        quarter: "2026-Q2".into(),
        current: Some(totals("2026-Q2", 5000.0)),
        previous: Some(totals("2026-Q1", 4000.0)),
        sites: vec![
            Some(NetworkSiteRow {
                site_name: "Tournai".into(),
                municipality: "Tournai".into(),
                workspaces: Some(12),
                employees_active: 9,
                companies_active: 2,
                center_days: 150,
                center_hours: 1100.0,
                desk_occupancy_pct: Some(19.2),
                mean_peak_occupancy_pct: Some(30.0),
                co2e_kg_avoided: 1200.0,
            }),
            None,
            None,
        ],
        data_sources: Some(DataSources {
            center_days: 600,
            visits: 640,
            visits_closed_pct: 97.5,
            km_baseline_routed_pct: 0.0,
            km_center_routed_pct: 0.0,
            homes_from_coordinates_pct: 90.0,
        }),
        uncertainty: None,
        energy: None,
        map: Some(map()),
        appendix: appendix(),
    }
}

#[test]
fn company_report_text_fr() {
    insta::assert_snapshot!(company_doc(&report(Lang::Fr)).unwrap().text());
}

#[test]
fn network_report_text_en() {
    insta::assert_snapshot!(network_doc(&network(Lang::En)).unwrap().text());
}

#[test]
fn company_report_nl_and_en_are_translated() {
    let nl = render_company_html(&report(Lang::Nl)).unwrap();
    assert!(nl.contains("Vervangen kantoordagen") && nl.contains("1.140\u{a0}kg"), "nl");
    assert!(nl.contains("31 maart 2026"), "nl date");
    let en = render_company_html(&report(Lang::En)).unwrap();
    assert!(en.contains("Office days replaced") && en.contains("1,140\u{a0}kg"), "en");
    let fr = render_company_html(&report(Lang::Fr)).unwrap();
    assert!(fr.contains("1\u{202f}140\u{a0}kg") && fr.contains("31 mars 2026"), "fr");
}

#[test]
fn a_negative_saving_is_said_as_more_emissions() {
    for (lang, want) in [
        (Lang::En, "but 684 kg CO₂e more: the trips to the centers emit more"),
        (Lang::Fr, "mais 684 kg CO₂e de plus : les trajets vers les centres émettent plus"),
        (Lang::Nl, "maar 684 kg CO₂e meer: de ritten naar de centra stoten meer uit"),
    ] {
        let mut r = report(lang);
        r.headline.as_mut().unwrap().co2e_kg_avoided = -684.2;
        let text = company_doc(&r).unwrap().text();
        let summary = text.lines().find(|l| l.starts_with("> ")).unwrap();
        assert!(summary.contains(want), "{lang:?}: {summary}");
        assert!(!summary.contains("−684"), "{lang:?}: {summary}");
    }
}

#[test]
fn html_is_escaped_self_contained_with_charts_and_privacy_notes() {
    let html = render_company_html(&report(Lang::Fr)).unwrap();
    assert!(html.contains("Acme &lt;&amp; Co&gt;"));
    for external in ["src=\"http", "href=\"http", "url(http", "@import", "<script", "<link"] {
        assert!(!html.contains(external), "external fetch: {external}");
    }
    // Monthly trend, burn-down, per-site bars, mode split, distribution and the map.
    assert_eq!(html.matches("<svg").count(), 6);
    assert!(html.contains("févr. 2026"));
    assert!(html.contains("1 ligne(s) masquée(s)"));
    assert!(html.contains("3 cellule(s) masquée(s)"));
    // Year to date withheld: said so, no figures.
    assert!(html.contains("Cumul annuel non publié"));
}

#[test]
fn withheld_report_shows_no_figures() {
    let mut r = report(Lang::En);
    r.headline = None;
    let html = render_company_html(&r).unwrap();
    assert!(html.contains("Fewer than 5 employees"));
    assert!(!html.contains("1,140") && !html.contains("<svg"));
}

#[test]
fn pdf_is_deterministic_and_dated_from_the_data() {
    let a = render_company_pdf(&report(Lang::Fr)).unwrap();
    let b = render_company_pdf(&report(Lang::Fr)).unwrap();
    assert!(a.starts_with(b"%PDF-"));
    assert_eq!(a, b, "two renderings differ");
    let text = String::from_utf8_lossy(&a);
    assert!(text.contains("D:20260331"), "creation date pinned to the data's last day");
}

/// A tool the report tests need. A missing tool fails the test (it never skips silently):
/// `./dev setup` installs both from Debian's packages.
fn tool(name: &str) -> &str {
    let found =
        Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().is_ok_and(|o| o.status.success());
    assert!(found, "{name} is missing: `./dev setup` installs it from Debian's packages");
    name
}

fn pdftotext(pdf: &[u8], dir: &Path) -> String {
    let bin = tool("pdftotext");
    let path = dir.join("r.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = Command::new(bin).args(["-layout", "-enc", "UTF-8"]).arg(&path).arg("-").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn pdf_text_holds_the_headline_figures_in_each_language() {
    let dir = tempfile::tempdir().unwrap();
    for (lang, figures) in [
        (Lang::Fr, ["1\u{202f}140\u{a0}kg", "6\u{202f}543\u{a0}km", "Jours de bureau remplacés", "CO₂e"]),
        (Lang::Nl, ["1.140\u{a0}kg", "6.543\u{a0}km", "Vervangen kantoordagen", "CO₂e"]),
        (Lang::En, ["1,140\u{a0}kg", "6,543\u{a0}km", "Office days replaced", "CO₂e"]),
    ] {
        let text = pdftotext(&render_company_pdf(&report(lang)).unwrap(), dir.path());
        // pdftotext may turn no-break spaces into plain ones.
        let norm = |s: &str| s.replace(['\u{a0}', '\u{202f}'], " ");
        let text = norm(&text);
        for f in figures {
            assert!(text.contains(&norm(f)), "{lang:?}: {f:?} not in the PDF text:\n{text}");
        }
        // Text inside the chart SVGs stays extractable (a month label of the monthly chart).
        assert!(text.contains("2026"), "{lang:?}");
    }
}

#[test]
fn html_renders_in_headless_chromium_without_console_errors() {
    let bin = tool("chromium");
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        ("company.html", render_company_html(&report(Lang::Fr)).unwrap()),
        ("network.html", render_network_html(&network(Lang::Nl)).unwrap()),
        ("plan.html", render_plan_html(&plan(Lang::En)).unwrap()),
    ];
    for (name, html) in pages {
        let path = dir.path().join(name);
        std::fs::write(&path, &html).unwrap();
        let profile = tempfile::tempdir().unwrap();
        let out = Command::new(bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--enable-logging=stderr",
                "--v=0",
                "--virtual-time-budget=2000",
                "--dump-dom",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg(format!("file://{}", path.display()))
            .output()
            .unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let stderr = String::from_utf8_lossy(&out.stderr);
        for line in stderr.lines() {
            assert!(!line.contains(":CONSOLE(") || !line.contains("ERROR"), "{name}: console error: {line}");
            assert!(!line.contains("Uncaught"), "{name}: {line}");
        }
        // Not blank: the rendered DOM holds the title, the summary and the charts.
        let dom = String::from_utf8_lossy(&out.stdout);
        assert!(
            dom.contains("<h1>") && dom.contains("class=\"summary\"") && dom.contains("<svg"),
            "{name}: blank page"
        );
        assert!(dom.len() > 10_000, "{name}: {} bytes of DOM", dom.len());
    }
}

fn plan_site(order: Option<u32>, id: &str, name: &str, kg: f64, users: Option<f64>) -> PlanSite {
    PlanSite {
        open_order: order,
        candidate_id: id.into(),
        name: name.into(),
        source: "csv".into(),
        desks: Some(15),
        marginal_co2e_kg_per_year: kg,
        marginal_co2e_kg_per_year_low: kg * 0.9,
        marginal_co2e_kg_per_year_high: kg * 1.1,
        marginal_km_per_year: kg * 6.0,
        marginal_hours_per_year: kg / 8.0,
        cumulative: None,
        expected_users: users,
        expected_center_days_per_year: 1234.0,
        capacity_days_per_year: Some(3300.0),
        desk_use_pct: Some(37.4),
        over_capacity: false,
        taken_from_existing_co2e_kg_per_year: 800.0,
        taken_from_existing_users: 7.0,
        taken_from: Vec::new(),
    }
}

/// A plan of two sites; the first's name holds markup (typst, Markdown, HTML) that must stay text.
fn plan(lang: Lang) -> PlanReport {
    let mut first = plan_site(Some(1), "L1", "Liège #strong[x] $y$ *z* <b>", 19_904.0, Some(35.0));
    first.taken_from = vec![
        Some(PlanTaken { existing_name: "Louvain-la-Neuve Centre".into(), co2e_kg_per_year: 500.0, users: 5.0 }),
        None,
    ];
    // Fewer than k expected users (the pipeline leaves the count out) and no one taken.
    let mut second = plan_site(Some(2), "M52011", "Charleroi", 14_776.0, None);
    second.taken_from_existing_co2e_kg_per_year = 0.0;
    second.taken_from_existing_users = 0.0;
    let mut chosen = vec![first, second];
    // Running totals as the view `plan_opening_curve` gives them.
    let mut running = PlanCumulative {
        co2e_kg_per_year: 0.0,
        co2e_kg_per_year_low: 0.0,
        co2e_kg_per_year_high: 0.0,
        km_per_year: 0.0,
        hours_per_year: 0.0,
    };
    for s in chosen.iter_mut() {
        running.co2e_kg_per_year += s.marginal_co2e_kg_per_year;
        running.co2e_kg_per_year_low += s.marginal_co2e_kg_per_year_low;
        running.co2e_kg_per_year_high += s.marginal_co2e_kg_per_year_high;
        running.km_per_year += s.marginal_km_per_year;
        running.hours_per_year += s.marginal_hours_per_year;
        s.cumulative = Some(running.clone());
    }
    PlanReport {
        lang,
        study_name: "Réseau wallon".into(),
        period_from: "2026-01-01".into(),
        period_to: "2026-06-30".into(),
        objective: "co2e".into(),
        boundary: "wtw".into(),
        factor_set: "be-2025+0123456789ab".into(),
        rebound_share: 0.0,
        k_anonymity: 5,
        employees: 1500,
        existing_sites: 8,
        candidates_csv: 3,
        candidates_generated: 138,
        candidate_rejects: 0,
        demand_entries: 21_869,
        cutoff_km: 40.0,
        working_days_per_year: 220.0,
        desks_default: 15,
        uptake: PlanUptake {
            fitted: true,
            fixed_days_per_year: None,
            max_days_per_year: Some(27.2),
            max_days_se: Some(1.9),
            rate_per_hour: Some(1.257),
            rate_se: Some(0.216),
            r2: Some(0.226),
            rmse_days_per_year: Some(17.7),
            observations: 1500,
            observed_mean_days_per_year: 7.8,
            bins: vec![
                PlanUptakeBin {
                    hours_saved_min: 0.0,
                    hours_saved_max: 0.5,
                    hours_saved_mean: 0.2,
                    employees: 150,
                    observed_days_per_year: 4.0,
                    predicted_days_per_year: 5.9,
                    isotonic_days_per_year: 4.0,
                },
                PlanUptakeBin {
                    hours_saved_min: 0.5,
                    hours_saved_max: 2.0,
                    hours_saved_mean: 1.1,
                    employees: 150,
                    observed_days_per_year: 20.0,
                    predicted_days_per_year: 20.2,
                    isotonic_days_per_year: 20.0,
                },
            ],
        },
        chosen,
        runners_up: vec![plan_site(None, "M52012", "Gosselies", 1_200.0, Some(12.0))],
        existing: vec![PlanExistingSite {
            name: "Louvain-la-Neuve Centre".into(),
            desks: Some(20),
            observed_center_days_per_year: Some(2_000.0),
            center_days_before: 1_900.0,
            center_days_after: 1_700.0,
            co2e_kg_per_year_before: 20_000.0,
            co2e_kg_per_year_after: 19_200.0,
            desk_use_pct_after: Some(38.6),
            over_capacity_after: false,
        }],
        baseline_objective: 137_414.0,
        chosen_objective: 172_094.0,
        upper_bound: 172_094.0,
        max_gap_pct: 0.0,
        swaps: 1,
        co2e_kg_per_year_existing: 137_414.0,
        co2e_kg_per_year_plan: 172_094.0,
        co2e_kg_per_year_plan_capped: 170_000.0,
        co2e_kg_per_year_plan_low: 150_000.0,
        co2e_kg_per_year_plan_high: 190_000.0,
        co2e_kg_per_year_plan_isotonic: Some(160_000.0),
        sites_over_capacity: 0,
        map: Some(PlanMap {
            existing: vec![MapPoint {
                label: "Louvain-la-Neuve Centre".into(),
                east_m: 3_925_000.0,
                north_m: 3_070_000.0,
            }],
            chosen: vec![
                MapPoint { label: "Liège #strong[x] $y$ *z* <b>".into(), east_m: 3_990_000.0, north_m: 3_060_000.0 },
                MapPoint { label: "Charleroi".into(), east_m: 3_900_000.0, north_m: 3_035_000.0 },
            ],
            others: vec![(3_905_000.0, 3_040_000.0)],
            background: std::sync::Arc::new(MapBackground {
                places: vec![(3_930_000.0, 3_060_000.0)],
                outlines: Vec::new(),
                roads: Vec::new(),
            }),
            cells: vec![CatchmentCell {
                east_m: 3_989_000.0,
                north_m: 3_061_000.0,
                size_m: 1000.0,
                employees: 6,
                center_days_per_year: 160.0,
                main_new_site: Some(1),
            }],
            cells_hidden: 2,
            employees_hidden: 7,
        }),
    }
}

#[test]
fn plan_report_text_en() {
    insta::assert_snapshot!(plan_doc(&plan(Lang::En)).unwrap().text());
}

#[test]
fn plan_report_is_translated_in_each_language() {
    for (lang, want) in [
        (Lang::Fr, ["Ordre d'ouverture", "34\u{202f}680", "Meilleurs candidats non retenus", "Annexe — méthode"]),
        (Lang::Nl, ["Openingsvolgorde", "34.680", "Beste niet-gekozen kandidaten", "Bijlage — methode"]),
        (Lang::En, ["Opening order", "34,680", "Best candidates not chosen", "Appendix — method"]),
    ] {
        let doc = plan_doc(&plan(lang)).unwrap();
        let text = doc.text();
        assert!(!text.contains("??"), "{lang:?}: an untranslated key:\n{text}");
        for w in want {
            assert!(text.contains(w), "{lang:?}: {w:?} missing:\n{text}");
        }
        // The opening curve, the map and the uptake chart.
        assert_eq!(doc.charts.len(), 3, "{lang:?}");
        // The words of the other languages do not leak in.
        for other in ["Opening order", "Ordre d'ouverture", "Openingsvolgorde"] {
            assert!(!text.contains(other) || want.contains(&other), "{lang:?}: {other:?}");
        }
    }
}

#[test]
fn plan_report_totals_are_the_sums_of_the_sites_and_small_groups_stay_hidden() {
    let r = plan(Lang::En);
    let text = plan_doc(&r).unwrap().text();
    // Cumulative kg after the last site = the sum of the chosen sites' marginal kg (19,904 + 14,776).
    let total: f64 = r.chosen.iter().map(|s| s.marginal_co2e_kg_per_year).sum();
    assert_eq!(total, 34_680.0);
    assert!(text.contains(&format!("+{}\u{a0}kg", format_number(total, 0, Lang::En))), "{text}");
    // Charleroi's 3 expected users are shown as "< 5"; the hidden cannibalisation row is said.
    assert!(text.contains("| 2. Charleroi | < 5 |"), "{text}");
    assert!(text.contains("1 row(s) hidden"), "{text}");
    assert!(text.contains("other sites (hidden)"), "{text}");
    // Fixed uptake: no range, and said so.
    let mut fixed = plan(Lang::En);
    fixed.uptake = PlanUptake {
        fitted: false,
        fixed_days_per_year: Some(44.0),
        max_days_per_year: None,
        max_days_se: None,
        rate_per_hour: None,
        rate_se: None,
        r2: None,
        rmse_days_per_year: None,
        observations: 1500,
        observed_mean_days_per_year: 7.8,
        bins: Vec::new(),
    };
    let doc = plan_doc(&fixed).unwrap();
    assert!(doc.text().contains("there is no uptake range"), "{}", doc.text());
    assert_eq!(doc.charts.len(), 2, "no uptake chart with a fixed uptake");
}

#[test]
fn plan_report_names_stay_text_in_html_and_pdf() {
    let html = render_plan_html(&plan(Lang::En)).unwrap();
    assert!(html.contains("Liège #strong[x] $y$ *z* &lt;b&gt;"), "escaped in the HTML");
    assert!(!html.contains("<b>"), "no markup from a name");
    for external in ["src=\"http", "href=\"http", "url(http", "@import", "<script", "<link"] {
        assert!(!html.contains(external), "external fetch: {external}");
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = render_plan_pdf(&plan(Lang::En)).unwrap();
    assert_eq!(pdf, render_plan_pdf(&plan(Lang::En)).unwrap(), "deterministic");
    assert!(String::from_utf8_lossy(&pdf).contains("D:20260630"), "dated from the data's last day");
    let text = pdftotext(&pdf, dir.path()).replace(['\u{a0}', '\u{202f}'], " ");
    // The PDF shows the name literally: no bold, no maths, no emphasis taken from it.
    assert!(text.contains("Liège #strong[x] $y$ *z* <b>"), "{text}");
    assert!(text.contains("34,680"), "{text}");
}

/// A table longer than a page runs over several, its header repeated on each; every row is
/// there once, in order; the file is tagged (headings, table cells, the figure's alternative).
#[test]
fn long_tables_run_over_pages_with_their_header_and_the_pdf_is_tagged() {
    let rows: Vec<Vec<String>> = (0..180)
        .map(|i| vec![format!("Ligne {i:03} avec un libellé assez long pour passer à la ligne"), format!("{i}")])
        .collect();
    let doc = navette_reports::Doc {
        lang: "fr",
        title: "Titre".into(),
        subtitle: "Sous-titre".into(),
        footer: "Pied de page".into(),
        date: "2026-03-31".into(),
        blocks: vec![
            navette_reports::Block::Heading { text: "Tableau".into() },
            navette_reports::Block::Table { header: vec!["Nom de la ligne".into(), "Valeur".into()], rows },
            navette_reports::Block::Chart { id: 0, alt: "Un graphique".into() },
        ],
        charts: vec![r##"<svg width="100" height="50" viewBox="0 0 100 50"><rect x="0" y="0" width="100" height="50" fill="#1b7f5a"/><text x="10" y="20" font-size="10">étiquette</text></svg>"##.into()],
    };
    let pdf = render_doc_pdf(&doc).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let text = pdftotext(&pdf, dir.path());
    let pages: Vec<&str> = text.split('\u{c}').filter(|p| !p.trim().is_empty()).collect();
    assert!(pages.len() >= 3, "{} pages", pages.len());
    for (i, page) in pages.iter().enumerate() {
        assert!(page.contains("Nom de la ligne"), "header on page {}", i + 1);
        let compact: String = page.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            compact.contains(&format!("Pieddepage{}/{}", i + 1, pages.len())),
            "footer and page number on page {}",
            i + 1
        );
    }
    let mut last = 0;
    for i in 0..180 {
        let label = format!("Ligne {i:03}");
        assert_eq!(text.matches(&label).count(), 1, "{label} once");
        let at = text.find(&label).unwrap();
        assert!(at > last, "{label} in order");
        last = at;
    }
    assert!(text.contains("étiquette"), "chart text is text");
    let raw = String::from_utf8_lossy(&pdf);
    for tag in
        ["/StructTreeRoot", "/MarkInfo", "/S /Table", "/S /TH", "/S /TD", "/S /H2", "/S /Figure", "/Alt (Un graphique)"]
    {
        assert!(raw.contains(tag), "{tag} missing");
    }
}
