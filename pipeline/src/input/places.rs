//! Belgian postcodes → a population-weighted point of the postcode area (shipped in
//! `datasets/geo/be_postcodes.csv`, built from Statbel/NGI and GeoNames data: see its SOURCES.md).
//! A postcode area is kilometres wide: legs from such homes are approximate, and reports say how
//! many homes were placed this way.

use std::collections::HashMap;

const POSTCODES_CSV: &str = include_str!("../../../datasets/geo/be_postcodes.csv");

/// Postcode lookup table.
#[derive(Debug, Clone)]
pub struct Postcodes {
    points: HashMap<String, (f64, f64)>,
}

impl Postcodes {
    /// The shipped table.
    pub fn builtin() -> Postcodes {
        let mut reader = csv::Reader::from_reader(POSTCODES_CSV.as_bytes());
        let headers = reader.headers().expect("shipped postcode table has a header").clone();
        let col = |name: &str| {
            headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("postcode table lacks {name}"))
        };
        let (pc, lat, lon) = (col("postcode"), col("lat"), col("lon"));
        let points = reader
            .records()
            .map(|r| {
                let r = r.expect("shipped postcode table is valid CSV");
                let parse = |i: usize| r[i].parse::<f64>().expect("shipped postcode table has numeric coordinates");
                (r[pc].to_owned(), (parse(lat), parse(lon)))
            })
            .collect();
        Postcodes { points }
    }

    /// The point of a postcode (`1348`, ` 1348 `, `B-1348`).
    pub fn point(&self, postcode: &str) -> Option<(f64, f64)> {
        let p = postcode.trim();
        let p = p.strip_prefix("B-").or_else(|| p.strip_prefix("BE-")).unwrap_or(p);
        self.points.get(p).copied()
    }

    /// Number of postcodes known.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::method::estimate::crow_m;

    #[test]
    fn known_postcodes_land_in_their_town() {
        let t = Postcodes::builtin();
        assert!(t.len() > 1000, "{}", t.len());
        for (pc, town) in [("1348", (50.668, 4.614)), ("7500", (50.607, 3.389)), ("B-1000", (50.85, 4.35))] {
            let p = t.point(pc).unwrap();
            assert!(crow_m(p, town) < 3000.0, "{pc}: {p:?}");
        }
        assert_eq!(t.point("9999"), None);
    }
}
