//! Report rendering: snapshots of the HTML for a fixed report, privacy, and languages.

use navette_reports::{
    CompanyReport, Headline, Lang, MethodFacts, MonthRow, QualityFacts, SiteRow, render_company_html,
};

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
        sites: vec![
            Some(SiteRow {
                site_name: "Louvain-la-Neuve Centre".into(),
                employees_active: 9,
                center_days: 100,
                center_hours: 720.0,
                km_avoided: 5000.0,
                co2e_kg_avoided: 900.0,
            }),
            None,
        ],
        months: vec![
            (
                "2026-01".into(),
                Some(MonthRow {
                    month: "2026-01".into(),
                    employees_active: 10,
                    co2e_kg_baseline: 500.0,
                    co2e_kg_actual: 100.0,
                }),
            ),
            (
                "2026-02".into(),
                Some(MonthRow {
                    month: "2026-02".into(),
                    employees_active: 11,
                    co2e_kg_baseline: 450.0,
                    co2e_kg_actual: 110.0,
                }),
            ),
            ("2026-03".into(), None),
        ],
        method: MethodFacts {
            boundary: "wtw".into(),
            factor_set: "be-2025+0123456789ab".into(),
            min_hours_office_day: 4.0,
            legs_estimated_pct: 100.0,
            k_anonymity: 5,
        },
        quality: QualityFacts {
            rows_read: 10_000,
            rows_rejected: 12,
            top_reasons: vec![("unknown_card".into(), 8), ("bad_timestamp".into(), 4)],
            visits_missing_out: 3,
            visits: 160,
            homes_from_postcode_pct: 25.0,
        },
    }
}

/// The page without the chart's SVG, which is checked separately (it is long and mostly geometry).
fn text_of(html: &str) -> String {
    let start = html.find("<svg").expect("chart present");
    let end = html.find("</svg>").expect("chart closed") + "</svg>".len();
    format!("{}[chart]{}", &html[..start], &html[end..])
}

#[test]
fn company_report_fr() {
    let html = render_company_html(&report(Lang::Fr)).unwrap();
    insta::assert_snapshot!(text_of(&html));
}

#[test]
fn company_report_nl_and_en_are_translated() {
    let nl = render_company_html(&report(Lang::Nl)).unwrap();
    assert!(nl.contains("Vervangen kantoordagen") && !nl.contains("1.139,5") && nl.contains("1.140"), "nl");
    let en = render_company_html(&report(Lang::En)).unwrap();
    assert!(en.contains("Office days replaced") && en.contains("1,140"), "en");
}

#[test]
fn html_is_escaped_self_contained_and_has_a_chart() {
    let html = render_company_html(&report(Lang::Fr)).unwrap();
    assert!(html.contains("Acme &lt;&amp; Co&gt;"));
    for external in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(external), "external fetch: {external}");
    }
    assert!(html.contains("<svg") && html.contains("févr. 2026"));
    // A suppressed month is labelled, a suppressed site row is counted, not shown.
    assert!(html.contains("masqué"));
    assert!(html.contains("1 ligne(s) masquée(s)"));
}

#[test]
fn withheld_report_shows_no_figures() {
    let mut r = report(Lang::En);
    r.headline = None;
    r.sites.clear();
    r.months.clear();
    let html = render_company_html(&r).unwrap();
    assert!(html.contains("Fewer than 5 employees"));
    assert!(!html.contains("1,140") && !html.contains("<svg"));
}
