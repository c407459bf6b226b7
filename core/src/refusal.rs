//! Why a tool turned its own change down before the gate. Such a refusal is as deterministic
//! as the gate's: the same tool on the same commit makes the same change and turns it down the
//! same way, so an attempt records it among its failed conditions (`GateDecision::failed`)
//! under a name of its own, and later cycles on that commit know not to try it again. A
//! failure that may go otherwise next time (a tool that crashed, a timeout) has no name here.

use std::fmt;
use std::str::FromStr;

/// A deterministic refusal before the gate, named in `GateDecision::failed` as its
/// [`Display`](fmt::Display) text (`removes_exported_name`).
///
/// ```
/// use tdev_core::PreGateRefusal;
///
/// let refusal: PreGateRefusal = "removes_exported_name".parse()?;
/// assert_eq!(refusal, PreGateRefusal::RemovesExportedName);
/// assert_eq!(refusal.to_string(), "removes_exported_name");
/// // The gate's own conditions are not refusals before it.
/// assert!("tests".parse::<PreGateRefusal>().is_err());
/// # Ok::<(), tdev_core::UnknownRefusal>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PreGateRefusal {
    /// The fix removes an import kept for its side effect.
    RemovesEffectImport,
    /// The fix removes an import from a module of names for other code to import.
    RemovesExportedName,
    /// The fix leaves something a reviewer would fix by hand (a new finding of a rule).
    Leftover,
    /// Every change the strategy made touches lines a safer strategy of the plan changes.
    OverlapsSaferChange,
    /// The strategy changed nothing.
    NoChange,
}

impl PreGateRefusal {
    /// Every refusal, in the order of their declaration.
    pub const ALL: [PreGateRefusal; 5] = [
        PreGateRefusal::RemovesEffectImport,
        PreGateRefusal::RemovesExportedName,
        PreGateRefusal::Leftover,
        PreGateRefusal::OverlapsSaferChange,
        PreGateRefusal::NoChange,
    ];

    /// The name it is recorded under, beside the gate's conditions (`tests`, `docstrings`).
    pub fn name(self) -> &'static str {
        match self {
            PreGateRefusal::RemovesEffectImport => "removes_effect_import",
            PreGateRefusal::RemovesExportedName => "removes_exported_name",
            PreGateRefusal::Leftover => "leftover",
            PreGateRefusal::OverlapsSaferChange => "overlaps_safer_change",
            PreGateRefusal::NoChange => "no_change",
        }
    }
}

impl fmt::Display for PreGateRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A failed condition that names no refusal before the gate (a gate condition, such as
/// `tests`, or a name this tdev does not know).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` names no refusal before the gate")]
pub struct UnknownRefusal(pub String);

impl FromStr for PreGateRefusal {
    type Err = UnknownRefusal;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        PreGateRefusal::ALL
            .into_iter()
            .find(|r| r.name() == name)
            .ok_or_else(|| UnknownRefusal(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_reads_back_from_its_name() {
        for refusal in PreGateRefusal::ALL {
            assert_eq!(refusal.to_string().parse(), Ok(refusal));
        }
        for condition in ["tests", "test_run", "docstrings", ""] {
            assert!(condition.parse::<PreGateRefusal>().is_err(), "{condition}");
        }
    }
}
