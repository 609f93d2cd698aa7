//! Report strings in French (default), Dutch and English.

use serde::{Deserialize, Serialize};

/// A report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French.
    Fr,
    /// Dutch.
    Nl,
    /// English.
    En,
}

impl Lang {
    /// Parses `fr`, `nl` or `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "fr" => Some(Lang::Fr),
            "nl" => Some(Lang::Nl),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::Nl => "nl",
            Lang::En => "en",
        }
    }
}

/// (key, fr, nl, en)
const TEXTS: &Table = &[
    // French puts a (narrow no-break) space before a colon; Dutch and English do not.
    ("colon", "\u{202f}:", ":", ":"),
    ("title", "Rapport d'impact trimestriel", "Driemaandelijks impactrapport", "Quarterly impact report"),
    ("employees_active", "Employés actifs", "Actieve werknemers", "Active employees"),
    ("center_days", "Jours en centre", "Dagen in een centrum", "Center days"),
    ("office_days_replaced", "Jours de bureau remplacés", "Vervangen kantoordagen", "Office days replaced"),
    ("center_hours", "Heures en centre", "Uren in een centrum", "Center hours"),
    ("package", "Forfait d'heures", "Urenpakket", "Hours package"),
    ("package_used", "du forfait consommé", "van het pakket verbruikt", "of the package used"),
    ("no_package", "pas de forfait renseigné", "geen pakket opgegeven", "no package on record"),
    ("km_avoided", "km évités", "vermeden km", "km avoided"),
    ("hours_avoided", "heures de trajet évitées", "vermeden reisuren", "travel hours avoided"),
    ("co2e_avoided", "kg CO₂e évités", "kg CO₂e vermeden", "kg CO₂e avoided"),
    ("package_left", "Forfait restant", "Resterend pakket", "Package left"),
    ("co2e_avoided_label", "de CO₂e évités", "CO₂e vermeden", "CO₂e avoided"),
    ("baseline_kg", "kg CO₂e référence", "kg CO₂e referentie", "kg CO₂e baseline"),
    ("actual_kg", "kg CO₂e réel", "kg CO₂e werkelijk", "kg CO₂e actual"),
    ("rows_read_label", "Lignes lues (tous fichiers)", "Gelezen rijen (alle bestanden)", "Rows read (all files)"),
    ("rows_rejected_label", "Lignes rejetées", "Geweigerde rijen", "Rows rejected"),
    (
        "co2e_baseline",
        "kg CO₂e des trajets vers le bureau remplacés",
        "kg CO₂e van de vervangen kantoorritten",
        "kg CO₂e of the replaced office trips",
    ),
    (
        "co2e_actual",
        "kg CO₂e des trajets vers les centres",
        "kg CO₂e van de ritten naar de centra",
        "kg CO₂e of the trips to the centers",
    ),
    ("by_site", "Par centre", "Per centrum", "By center"),
    ("site", "Centre", "Centrum", "Center"),
    (
        "by_month",
        "Par mois : CO₂e des trajets (kg)",
        "Per maand: CO₂e van de ritten (kg)",
        "By month: CO₂e of the trips (kg)",
    ),
    ("baseline", "Trajets bureau remplacés", "Vervangen kantoorritten", "Replaced office trips"),
    ("actual", "Trajets vers les centres", "Ritten naar de centra", "Trips to the centers"),
    (
        "suppressed",
        "masqué (moins de k employés)",
        "verborgen (minder dan k werknemers)",
        "hidden (fewer than k employees)",
    ),
    (
        "suppressed_rows",
        "ligne(s) masquée(s) pour protéger la vie privée",
        "rij(en) verborgen ter bescherming van de privacy",
        "row(s) hidden to protect privacy",
    ),
    (
        "withheld",
        "Moins de {k} employés ont utilisé le réseau ce trimestre : les chiffres ne sont pas publiés pour protéger leur vie privée.",
        "Minder dan {k} werknemers gebruikten het netwerk dit kwartaal: de cijfers worden niet gepubliceerd om hun privacy te beschermen.",
        "Fewer than {k} employees used the network this quarter: figures are withheld to protect their privacy.",
    ),
    ("method", "Méthode", "Methode", "Method"),
    (
        "method_text",
        "Une visite associe un badge d'entrée à la sortie suivante sur le même site. Un jour en centre remplace un jour au bureau quand la présence atteint le seuil ; le trajet domicile–centre compte toujours. Évité = aller-retour domicile–bureau remplacé − aller-retour domicile–centre (peut être négatif). Distances estimées : distance à vol d'oiseau × facteur de détour par mode (ISO 14083), arrondie au km, durée par vitesse moyenne.",
        "Een bezoek koppelt een inbadge aan de volgende uitbadge op dezelfde site. Een centrumdag vervangt een kantoordag wanneer de aanwezigheid de drempel haalt; de rit woning–centrum telt altijd. Vermeden = vervangen heen-en-terug woning–kantoor − heen-en-terug woning–centrum (kan negatief zijn). Geschatte afstanden: vogelvluchtafstand × omwegfactor per modus (ISO 14083), afgerond op de km, duur via gemiddelde snelheid.",
        "A visit pairs a badge-in with the next badge-out at the same site. A center day replaces an office day when presence reaches the threshold; the home–center trip always counts. Avoided = replaced home–office round trip − home–center round trip (can be negative). Estimated distances: great-circle distance × a per-mode detour factor (ISO 14083), rounded to the km, time from an average speed.",
    ),
    ("boundary", "Périmètre", "Systeemgrens", "Boundary"),
    ("boundary_wtw", "du puits à la roue (WTW)", "well-to-wheel (WTW)", "well-to-wheel (WTW)"),
    ("boundary_ttw", "du réservoir à la roue (TTW)", "tank-to-wheel (TTW)", "tank-to-wheel (TTW)"),
    ("factor_set", "Jeu de facteurs", "Emissiefactoren", "Factor set"),
    (
        "threshold",
        "Seuil d'un jour de bureau remplacé",
        "Drempel voor een vervangen kantoordag",
        "Office-day threshold",
    ),
    ("hours", "h", "u", "h"),
    (
        "estimated_legs",
        "trajets estimés (non routés)",
        "geschatte (niet gerouteerde) ritten",
        "legs estimated (not routed)",
    ),
    (
        "k_rule",
        "Aucun groupe de moins de {k} employés n'est montré.",
        "Geen groep van minder dan {k} werknemers wordt getoond.",
        "No group of fewer than {k} employees is shown.",
    ),
    (
        "avoided_note",
        "Les émissions évitées sont une estimation par rapport à un scénario de référence ; elles sont rapportées à côté de l'inventaire Scope 3, jamais dedans.",
        "Vermeden emissies zijn een schatting tegenover een referentiescenario; ze worden naast de Scope 3-inventaris gerapporteerd, nooit erin.",
        "Avoided emissions are an estimate against a counterfactual; they are reported beside the Scope 3 inventory, never inside it.",
    ),
    ("quality", "Qualité des données", "Datakwaliteit", "Data quality"),
    ("rows_read", "lignes lues", "gelezen rijen", "rows read"),
    ("rows_rejected", "rejetées", "geweigerd", "rejected"),
    ("missing_out", "visites sans badge de sortie", "bezoeken zonder uitbadge", "visits without badge-out"),
    (
        "postcode_homes",
        "domiciles placés par code postal",
        "woonplaatsen via postcode geplaatst",
        "homes placed from a postcode",
    ),
    ("top_reasons", "Motifs de rejet principaux", "Belangrijkste weigeringsredenen", "Main reject reasons"),
    ("index_title", "Rapports", "Rapporten", "Reports"),
    ("company", "Entreprise", "Bedrijf", "Company"),
    ("quarter", "Trimestre", "Kwartaal", "Quarter"),
    (
        "withheld_short",
        "non publié (moins de k employés)",
        "niet gepubliceerd (minder dan k werknemers)",
        "withheld (fewer than k employees)",
    ),
];

/// A table of (key, fr, nl, en) rows.
type Table = [(&'static str, &'static str, &'static str, &'static str)];

fn lookup(table: &Table, lang: Lang, key: &str) -> Option<&'static str> {
    table.iter().find(|t| t.0 == key).map(|t| match lang {
        Lang::Fr => t.1,
        Lang::Nl => t.2,
        Lang::En => t.3,
    })
}

/// The string of `lang` among the three given inline (for sentences used in one place; shared
/// labels live in the tables of this module).
pub fn tr(lang: Lang, fr: &str, nl: &str, en: &str) -> String {
    match lang {
        Lang::Fr => fr,
        Lang::Nl => nl,
        Lang::En => en,
    }
    .to_owned()
}

/// The string for `key` in `lang`; `??` when unknown (visible in snapshots).
pub fn text(lang: Lang, key: &str) -> &'static str {
    lookup(TEXTS, lang, key).unwrap_or("??")
}

/// A quarter label (`2026-Q1`) in words: `1er trimestre 2026`, `1e kwartaal 2026`, `Q1 2026`.
pub fn quarter(lang: Lang, label: &str) -> String {
    let Some((year, q)) = label.split_once("-Q") else { return label.to_owned() };
    match lang {
        Lang::Fr => format!("{q}{} trimestre {year}", if q == "1" { "er" } else { "e" }),
        Lang::Nl => format!("{q}e kwartaal {year}"),
        Lang::En => format!("Q{q} {year}"),
    }
}

/// A month label (`2026-03`) in words: `mars 2026`, `mrt 2026`, `Mar 2026`.
pub fn month(lang: Lang, label: &str) -> String {
    const FR: [&str; 12] =
        ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."];
    const NL: [&str; 12] = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"];
    const EN: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let Some((year, m)) = label.split_once('-') else { return label.to_owned() };
    let Some(i) = m.parse::<usize>().ok().filter(|i| (1..=12).contains(i)) else { return label.to_owned() };
    let names = match lang {
        Lang::Fr => FR,
        Lang::Nl => NL,
        Lang::En => EN,
    };
    format!("{} {year}", names[i - 1])
}

/// (reason code, fr, nl, en)
const REASONS: &Table = &[
    ("malformed_row", "ligne mal formée", "misvormde rij", "malformed row"),
    ("missing_value", "valeur manquante", "ontbrekende waarde", "missing value"),
    ("bad_number", "nombre illisible", "onleesbaar getal", "unreadable number"),
    ("bad_coordinates", "coordonnées invalides", "ongeldige coördinaten", "invalid coordinates"),
    ("bad_date", "date illisible", "onleesbare datum", "unreadable date"),
    ("bad_timestamp", "horodatage illisible", "onleesbaar tijdstip", "unreadable timestamp"),
    (
        "nonexistent_local_time",
        "heure inexistante (passage à l'heure d'été)",
        "onbestaand uur (zomertijd)",
        "non-existent local time (DST)",
    ),
    ("bad_direction", "sens de passage inconnu", "onbekende doorgangsrichting", "unknown direction"),
    ("unknown_code", "code inconnu", "onbekende code", "unknown code"),
    ("duplicate_id", "identifiant en double", "dubbele id", "duplicate id"),
    ("unknown_company", "entreprise inconnue", "onbekend bedrijf", "unknown company"),
    ("unknown_employee", "employé inconnu", "onbekende werknemer", "unknown employee"),
    ("unknown_postcode", "code postal inconnu", "onbekende postcode", "unknown postcode"),
    ("unknown_site", "site inconnu", "onbekende site", "unknown site"),
    ("unknown_card", "badge inconnu", "onbekende badge", "unknown card"),
    ("card_not_valid", "badge hors validité", "badge niet geldig", "card not valid"),
    ("outside_period", "hors période d'étude", "buiten de studieperiode", "outside the study period"),
    ("out_of_range", "valeur hors limites", "waarde buiten bereik", "value out of range"),
    (
        "unknown_reference",
        "référence inconnue (horaire GTFS)",
        "onbekende verwijzing (GTFS-dienstregeling)",
        "unknown reference (GTFS timetable)",
    ),
    (
        "inconsistent_timetable",
        "horaire incohérent (GTFS)",
        "inconsistente dienstregeling (GTFS)",
        "inconsistent timetable (GTFS)",
    ),
];

/// A reject reason code in words (the code itself when unknown).
pub fn reason(lang: Lang, code: &str) -> String {
    lookup(REASONS, lang, code).unwrap_or(code).to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_translated() {
        for (key, fr, nl, en) in TEXTS {
            assert!(!fr.is_empty() && !nl.is_empty() && !en.is_empty(), "{key}");
        }
        assert_eq!(text(Lang::Nl, "center_days"), "Dagen in een centrum");
        assert_eq!(text(Lang::En, "nope"), "??");
    }

    #[test]
    fn quarters_and_months_in_words() {
        assert_eq!(quarter(Lang::Fr, "2026-Q1"), "1er trimestre 2026");
        assert_eq!(quarter(Lang::Fr, "2026-Q3"), "3e trimestre 2026");
        assert_eq!(quarter(Lang::Nl, "2026-Q2"), "2e kwartaal 2026");
        assert_eq!(quarter(Lang::En, "2026-Q4"), "Q4 2026");
        assert_eq!(month(Lang::Fr, "2026-02"), "févr. 2026");
        assert_eq!(month(Lang::Nl, "2026-03"), "mrt 2026");
        assert_eq!(month(Lang::En, "bad"), "bad");
    }
}
