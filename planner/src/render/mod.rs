//! Renderers of a plan for people: Mermaid for diagrams, plain text for terminals (JSON is
//! the plan's serde form).

mod mermaid;
mod text;

pub use mermaid::mermaid;
pub use text::text;
