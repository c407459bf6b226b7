//! The maintainability index and the Halstead counts it stands on, shared by every language so
//! that tdev's index means the same thing for Python and Rust.
//!
//! The index is radon's: `max(0, 171 - 5.2 ln V - 0.23 G - 16.2 ln L + 50 sin(sqrt(2.46 rad(C)))) * 100 / 171`
//! with V the Halstead volume, G the total cyclomatic complexity, L the lines the language
//! counts (logical lines for Python) and C the percentage of comment lines among the source
//! lines; 100 when V or L is zero. Each language says in its own `//!` what it feeds in.

/// Halstead counts of a module.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Halstead {
    /// Distinct operators.
    pub distinct_operators: u32,
    /// Distinct operands.
    pub distinct_operands: u32,
    /// Total operators.
    pub operators: u32,
    /// Total operands.
    pub operands: u32,
}

impl Halstead {
    /// Program volume: `N log2(n)`.
    pub fn volume(&self) -> f64 {
        let vocabulary = f64::from(self.distinct_operators + self.distinct_operands);
        let length = f64::from(self.operators + self.operands);
        if vocabulary > 0.0 {
            length * vocabulary.log2()
        } else {
            0.0
        }
    }
}

/// radon's maintainability index, from 0 to 100, of a module with Halstead `volume`, total
/// cyclomatic `complexity`, `lines` of code and `comment_percent` (0 to 100).
pub(crate) fn index(volume: f64, complexity: f64, lines: f64, comment_percent: f64) -> f64 {
    if volume <= 0.0 || lines <= 0.0 {
        return 100.0;
    }
    let raw = 171.0 - 5.2 * volume.ln() - 0.23 * complexity - 16.2 * lines.ln()
        + 50.0 * (2.46 * comment_percent.to_radians()).sqrt().sin();
    (raw * 100.0 / 171.0).clamp(0.0, 100.0)
}
