//! Charts drawn as inline SVG for the pages tdev writes: points, lines, vertical rules and a
//! diagonal on linear or logarithmic axes, with ticks and a legend. No script and no library,
//! so a page reads offline in any browser and can be mailed or archived as one file.

use super::escape;
use std::fmt::Write as _;

const WIDTH: f64 = 760.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 44.0;

/// How an axis's tick labels read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ticks {
    /// Plain numbers.
    Number,
    /// Shares as percentages (0.25 reads `25%`).
    Percent,
}

/// One axis: its label, its range and whether it is logarithmic (base 10).
#[derive(Clone, Debug)]
pub(crate) struct Axis {
    pub label: String,
    pub min: f64,
    pub max: f64,
    pub log: bool,
    pub ticks: Ticks,
}

impl Axis {
    pub(crate) fn linear(label: &str, min: f64, max: f64, ticks: Ticks) -> Axis {
        Axis {
            label: label.to_owned(),
            min,
            max: if max > min { max } else { min + 1.0 },
            log: false,
            ticks,
        }
    }

    /// A logarithmic axis from the power of ten at or below `min` to the one at or above
    /// `max` (both positive).
    pub(crate) fn log(label: &str, min: f64, max: f64) -> Axis {
        let low = min.max(f64::MIN_POSITIVE).log10().floor();
        let high = max
            .max(min)
            .max(f64::MIN_POSITIVE)
            .log10()
            .ceil()
            .max(low + 1.0);
        Axis {
            label: label.to_owned(),
            min: 10f64.powf(low),
            max: 10f64.powf(high),
            log: true,
            ticks: Ticks::Number,
        }
    }

    /// Where `value` falls, from 0 (min) to 1 (max); values outside are clamped.
    fn fraction(&self, value: f64) -> f64 {
        let f = if self.log {
            let v = value.max(self.min).log10();
            (v - self.min.log10()) / (self.max.log10() - self.min.log10())
        } else {
            (value - self.min) / (self.max - self.min)
        };
        if f.is_finite() {
            f.clamp(0.0, 1.0)
        } else {
            0.0
        }
    }

    /// The ticks, each with its label.
    fn ticks(&self) -> Vec<(f64, String)> {
        // Decimals that show a tick of `size` exactly (a small epsilon: log10 is inexact).
        let decimals = |size: f64| (-size.log10() - 1e-9).ceil().max(0.0) as usize;
        if self.log {
            let (low, high) = (
                self.min.log10().round() as i32,
                self.max.log10().round() as i32,
            );
            return (low..=high)
                .map(|p| {
                    let v = 10f64.powi(p);
                    (v, format!("{v:.*}", decimals(v)))
                })
                .collect();
        }
        let raw = (self.max - self.min) / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw * (1.0 - 1e-9))
            .unwrap_or(magnitude * 10.0);
        let first = (self.min / step - 1e-9).ceil() as i64;
        let last = (self.max / step + 1e-9).floor() as i64;
        (first..=last)
            .map(|i| {
                let v = i as f64 * step;
                let label = match self.ticks {
                    Ticks::Percent => format!("{:.*}%", decimals(step * 100.0), v * 100.0),
                    Ticks::Number => format!("{v:.*}", decimals(step)),
                };
                (v, label)
            })
            .collect()
    }
}

/// One point, with the text a browser shows when the pointer rests on it.
#[derive(Clone, Debug)]
pub(crate) struct Point {
    pub x: f64,
    pub y: f64,
    pub radius: f64,
    pub title: String,
}

/// What a chart draws; `class` names a style of the page (its colour).
#[derive(Clone, Debug)]
pub(crate) enum Mark {
    /// Separate points.
    Points {
        class: &'static str,
        points: Vec<Point>,
    },
    /// A line through points in order.
    Line {
        class: &'static str,
        points: Vec<(f64, f64)>,
    },
    /// A vertical rule at `x`, with a label at its top.
    Rule {
        class: &'static str,
        x: f64,
        label: String,
    },
    /// The diagonal `y = x`, for calibration.
    Diagonal,
}

/// A chart: axes, marks in drawing order, and a legend of (class, text).
#[derive(Clone, Debug)]
pub(crate) struct Chart {
    pub title: String,
    pub x: Axis,
    pub y: Axis,
    pub marks: Vec<Mark>,
    pub legend: Vec<(&'static str, String)>,
}

impl Chart {
    fn px(&self, x: f64) -> f64 {
        LEFT + self.x.fraction(x) * (WIDTH - LEFT - RIGHT)
    }

    fn py(&self, y: f64) -> f64 {
        HEIGHT - BOTTOM - self.y.fraction(y) * (HEIGHT - TOP - BOTTOM)
    }

    /// The chart as an `<svg>` element; every text in it is escaped.
    pub(crate) fn svg(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{}">"#,
            escape(&self.title)
        );
        let _ = writeln!(out, "<title>{}</title>", escape(&self.title));
        self.axes(&mut out);
        for mark in &self.marks {
            self.mark(mark, &mut out);
        }
        let mut x = LEFT + 8.0;
        for (class, text) in &self.legend {
            let _ = writeln!(
                out,
                r#"<rect class="{class}" x="{x:.1}" y="8" width="12" height="12"/><text x="{:.1}" y="18">{}</text>"#,
                x + 16.0,
                escape(text)
            );
            x += 28.0 + 7.0 * text.chars().count() as f64;
        }
        out.push_str("</svg>\n");
        out
    }

    fn axes(&self, out: &mut String) {
        let (left, right) = (LEFT, WIDTH - RIGHT);
        let (top, bottom) = (TOP, HEIGHT - BOTTOM);
        for (value, label) in self.y.ticks() {
            let y = self.py(value);
            let _ = writeln!(
                out,
                r#"<line class="grid" x1="{left}" y1="{y:.1}" x2="{right}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                left - 6.0,
                y + 4.0,
                escape(&label)
            );
        }
        for (value, label) in self.x.ticks() {
            let x = self.px(value);
            let _ = writeln!(
                out,
                r#"<line class="axis" x1="{x:.1}" y1="{bottom}" x2="{x:.1}" y2="{:.1}"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                bottom + 4.0,
                bottom + 17.0,
                escape(&label)
            );
        }
        let _ = writeln!(
            out,
            r#"<line class="axis" x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}"/><line class="axis" x1="{left}" y1="{top}" x2="{left}" y2="{bottom}"/>"#
        );
        let _ = writeln!(
            out,
            r#"<text class="label" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            (left + right) / 2.0,
            HEIGHT - 6.0,
            escape(&self.x.label)
        );
        let _ = writeln!(
            out,
            r#"<text class="label" transform="translate(14 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            (top + bottom) / 2.0,
            escape(&self.y.label)
        );
    }

    fn mark(&self, mark: &Mark, out: &mut String) {
        match mark {
            Mark::Points { class, points } => {
                let _ = writeln!(out, r#"<g class="{class}">"#);
                for p in points {
                    let _ = writeln!(
                        out,
                        r#"<circle cx="{:.1}" cy="{:.1}" r="{:.1}"><title>{}</title></circle>"#,
                        self.px(p.x),
                        self.py(p.y),
                        p.radius,
                        escape(&p.title)
                    );
                }
                out.push_str("</g>\n");
            }
            Mark::Line { class, points } => {
                if points.len() < 2 {
                    return;
                }
                // Inline, since the page's rule for `class` fills shapes and a line must not be.
                let path: Vec<String> = points
                    .iter()
                    .map(|(x, y)| format!("{:.1},{:.1}", self.px(*x), self.py(*y)))
                    .collect();
                let _ = writeln!(
                    out,
                    r#"<polyline class="{class}" style="fill:none" points="{}"/>"#,
                    path.join(" ")
                );
            }
            Mark::Rule { class, x, label } => {
                let x = self.px(*x);
                let _ = writeln!(
                    out,
                    r#"<line class="{class}" x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}"/><text class="tick" x="{:.1}" y="{:.1}">{}</text>"#,
                    HEIGHT - BOTTOM,
                    x + 3.0,
                    TOP + 10.0,
                    escape(label)
                );
            }
            Mark::Diagonal => {
                let (low, high) = (self.x.min.max(self.y.min), self.x.max.min(self.y.max));
                let _ = writeln!(
                    out,
                    r#"<line class="diagonal" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
                    self.px(low),
                    self.py(low),
                    self.px(high),
                    self.py(high)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_ticks_are_round_numbers_inside_the_range() {
        let axis = Axis::linear("x", 0.0, 1.0, Ticks::Percent);
        let labels: Vec<String> = axis.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["0%", "20%", "40%", "60%", "80%", "100%"]);
        let axis = Axis::linear("x", 1.0, 437.0, Ticks::Number);
        let labels: Vec<String> = axis.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["100", "200", "300", "400"]);
        let axis = Axis::linear("x", 0.0, 0.2, Ticks::Number);
        let labels: Vec<String> = axis.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["0.00", "0.05", "0.10", "0.15", "0.20"]);
    }

    #[test]
    fn log_axes_span_whole_powers_of_ten() {
        let axis = Axis::log("s", 0.3, 2500.0);
        assert_eq!((axis.min, axis.max), (0.1, 10_000.0));
        let labels: Vec<String> = axis.ticks().into_iter().map(|t| t.1).collect();
        assert_eq!(labels, ["0.1", "1", "10", "100", "1000", "10000"]);
        assert_eq!(axis.fraction(0.01), 0.0, "below the range is clamped");
        assert!((axis.fraction(10.0) - 0.4).abs() < 1e-9);
    }

    #[test]
    fn every_text_of_a_chart_is_escaped() {
        let chart = Chart {
            title: "a <b> chart".into(),
            x: Axis::linear("x & y", 0.0, 1.0, Ticks::Number),
            y: Axis::linear("y", 0.0, 1.0, Ticks::Percent),
            marks: vec![Mark::Points {
                class: "learned",
                points: vec![Point {
                    x: 0.5,
                    y: 0.5,
                    radius: 2.0,
                    title: "<script>alert(1)</script>".into(),
                }],
            }],
            legend: vec![("learned", "\"quoted\"".into())],
        };
        let svg = chart.svg();
        assert!(!svg.contains("<script>") && !svg.contains("<b>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{svg}"
        );
        assert!(
            svg.contains("x &amp; y") && svg.contains("&quot;quoted&quot;"),
            "{svg}"
        );
    }
}
