//! Travel modes, car fuels and car sizes: the vocabulary shared by inputs, factors and reports.

macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $var:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, ::serde::Serialize, ::serde::Deserialize)]
        pub enum $name {
            $($(#[$vm])* #[serde(rename = $code)] $var),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];

            /// The code used in files, SQL and reports.
            pub fn code(self) -> &'static str {
                match self { $($name::$var => $code),+ }
            }

            /// Parses a code (case-insensitive, surrounding spaces ignored).
            pub fn parse(s: &str) -> Option<$name> {
                let s = s.trim();
                $name::ALL.iter().copied().find(|v| v.code().eq_ignore_ascii_case(s))
            }

            /// The valid codes, for error messages.
            pub fn codes() -> String {
                $name::ALL.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}
pub(crate) use code_enum;

code_enum! {
    /// How a person travels.
    Mode {
        /// Car, driver alone unless an occupancy is given.
        Car = "car",
        /// Shared car; emissions divided by the occupants.
        Carpool = "carpool",
        /// Motorbike or scooter.
        Motorbike = "motorbike",
        /// Train.
        Train = "train",
        /// Bus or coach.
        Bus = "bus",
        /// Tram.
        Tram = "tram",
        /// Metro.
        Metro = "metro",
        /// Bicycle.
        Bike = "bike",
        /// Electric-assist bicycle.
        Ebike = "ebike",
        /// Walking.
        Walk = "walk",
    }
}

code_enum! {
    /// Fuel of a car.
    Fuel {
        /// Petrol.
        Petrol = "petrol",
        /// Diesel.
        Diesel = "diesel",
        /// Self-charging hybrid.
        Hybrid = "hybrid",
        /// Plug-in hybrid.
        PluginHybrid = "plugin_hybrid",
        /// Battery electric.
        Electric = "electric",
        /// Liquefied petroleum gas (no own factor row: falls back to `unknown`).
        Lpg = "lpg",
        /// Compressed natural gas (no own factor row: falls back to `unknown`).
        Cng = "cng",
        /// Not known.
        Unknown = "unknown",
    }
}

code_enum! {
    /// Size class of a car, as in the DESNZ tables.
    CarSize {
        /// Small.
        Small = "small",
        /// Medium.
        Medium = "medium",
        /// Large.
        Large = "large",
        /// Average of the fleet.
        Average = "average",
    }
}

/// What a mode's legs are routed on when the study has the data (else they are estimated).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Network {
    /// The road network, as a motor vehicle.
    RoadCar,
    /// The road network, by bicycle (e-bikes too, at their own speed).
    RoadBike,
    /// The road network, on foot.
    RoadFoot,
    /// Public-transport timetables (GTFS).
    Timetable,
}

impl Mode {
    /// The network this mode's legs are routed on. The one place that says which modes are
    /// road-routed (and on which profile) and which ride the timetables.
    pub fn network(self) -> Network {
        match self {
            Mode::Car | Mode::Carpool | Mode::Motorbike => Network::RoadCar,
            Mode::Bike | Mode::Ebike => Network::RoadBike,
            Mode::Walk => Network::RoadFoot,
            Mode::Train | Mode::Bus | Mode::Tram | Mode::Metro => Network::Timetable,
        }
    }

    /// Modes whose factors are per vehicle-km and shared by the occupants.
    pub fn is_car_like(self) -> bool {
        matches!(self, Mode::Car | Mode::Carpool)
    }

    /// Modes whose factor depends on the car's fuel and size.
    pub fn factor_mode(self) -> &'static str {
        match self {
            Mode::Car | Mode::Carpool => "car",
            other => other.code(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for m in Mode::ALL {
            assert_eq!(Mode::parse(m.code()), Some(*m));
        }
        assert_eq!(Mode::parse(" Car "), Some(Mode::Car));
        assert_eq!(Fuel::parse("PLUGIN_HYBRID"), Some(Fuel::PluginHybrid));
        assert_eq!(CarSize::parse("huge"), None);
    }
}
