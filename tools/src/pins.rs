//! The exact versions of the tools tdev runs, read from `pins.toml` (compiled in), and the hash
//! an installed environment is stamped with.

use serde::Deserialize;
use sha2::{Digest, Sha256};

const PINS_TOML: &str = include_str!("../pins.toml");

/// One tool at one exact version; the tool's package, module and command share its name.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Pin {
    /// Package and command name, e.g. `ruff`.
    pub name: String,
    /// Exact version, e.g. `0.17.6`.
    pub version: String,
}

impl Pin {
    /// The pip requirement, `name==version`.
    pub fn spec(&self) -> String {
        format!("{}=={}", self.name, self.version)
    }
}

/// The set of pinned tools.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Pins {
    /// The tools, in install order.
    #[serde(rename = "tool")]
    pub tools: Vec<Pin>,
}

impl Pins {
    /// The pins this tdev was built with.
    pub fn builtin() -> Self {
        // pins.toml is part of the source; a test checks that it parses.
        toml::from_str(PINS_TOML).expect("tools/pins.toml is valid")
    }

    /// A sha256 of the pins, written into an environment once everything in it is installed.
    pub fn hash(&self) -> String {
        let mut hasher = Sha256::new();
        for pin in &self.tools {
            hasher.update(pin.spec().as_bytes());
            hasher.update(b"\n");
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The pin of a tool.
    pub fn get(&self, name: &str) -> Option<&Pin> {
        self.tools.iter().find(|p| p.name == name)
    }
}
