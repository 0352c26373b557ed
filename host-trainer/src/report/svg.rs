//! Small self-contained SVG charts (lines, scatter points, step histograms, markers), so the
//! report needs no plotting library, no fonts and no network: each chart is one `<svg>` string
//! that can be written to a file or inlined in HTML.

use std::fmt::Write;

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Style {
    /// Joined by straight lines.
    Line,
    /// Joined by straight dashed lines.
    Dashed,
    /// Dots.
    Points,
    /// Horizontal steps from each x to the next (histogram outline), filled lightly.
    Steps,
}

/// One named series.
#[derive(Debug, Clone)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// CSS colour.
    pub color: &'static str,
    /// Drawing style.
    pub style: Style,
    /// `(x, y)` points in data units.
    pub points: Vec<(f64, f64)>,
}

/// A vertical rule at an x position, labelled.
#[derive(Debug, Clone)]
pub struct VLine {
    /// Position in data units.
    pub x: f64,
    /// Label drawn at the top.
    pub label: String,
    /// CSS colour.
    pub color: &'static str,
}

/// A highlighted point, labelled.
#[derive(Debug, Clone)]
pub struct Marker {
    /// Position in data units.
    pub at: (f64, f64),
    /// Label drawn beside it.
    pub label: String,
    /// CSS colour.
    pub color: &'static str,
}

/// A chart: axes, series, rules and markers.
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Title above the plot.
    pub title: String,
    /// X axis label.
    pub x_label: String,
    /// Y axis label.
    pub y_label: String,
    /// Fixed x range (else from the data).
    pub x_range: Option<(f64, f64)>,
    /// Fixed y range (else from the data).
    pub y_range: Option<(f64, f64)>,
    /// Logarithmic y axis (values ≤ 0 are dropped).
    pub log_y: bool,
    /// The data.
    pub series: Vec<Series>,
    /// Vertical rules.
    pub vlines: Vec<VLine>,
    /// Highlighted points.
    pub markers: Vec<Marker>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 170.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 55.0;

/// Escapes text for SVG/HTML.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// About five round tick positions covering `[lo, hi]`.
fn ticks(lo: f64, hi: f64) -> Vec<f64> {
    let span = (hi - lo).abs().max(1e-12);
    let raw = span / 5.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| span / s <= 6.0)
        .unwrap_or(10.0 * magnitude);
    let first = (lo / step).ceil() * step;
    (0..=12)
        .map(|k| first + k as f64 * step)
        .take_while(|t| *t <= hi + step * 1e-9)
        .collect()
}

fn label(value: f64) -> String {
    let a = value.abs();
    if a != 0.0 && !(1e-3..1e5).contains(&a) {
        format!("{value:.1e}")
    } else if (value - value.round()).abs() < 1e-9 {
        format!("{value:.0}")
    } else {
        let s = format!("{value:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

impl Chart {
    fn bounds(&self) -> ((f64, f64), (f64, f64)) {
        let points = || self.series.iter().flat_map(|s| s.points.iter().copied());
        let finite = |v: &f64| v.is_finite();
        let xs = points()
            .map(|p| p.0)
            .chain(self.vlines.iter().map(|v| v.x))
            .filter(finite);
        let ys = points()
            .map(|p| p.1)
            .chain(self.markers.iter().map(|m| m.at.1))
            .filter(finite)
            .filter(|y| !self.log_y || *y > 0.0);
        let span = |it: &mut dyn Iterator<Item = f64>| {
            let (lo, hi) = it.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                (l.min(v), h.max(v))
            });
            if lo > hi {
                (0.0, 1.0)
            } else if hi - lo < 1e-12 {
                (lo - 0.5, hi + 0.5)
            } else {
                (lo, hi)
            }
        };
        let x = self.x_range.unwrap_or_else(|| span(&mut xs.into_iter()));
        let y = self.y_range.unwrap_or_else(|| {
            let (lo, hi) = span(&mut ys.into_iter());
            if self.log_y {
                (lo, hi)
            } else {
                let pad = (hi - lo) * 0.05;
                (lo - pad, hi + pad)
            }
        });
        (x, y)
    }

    /// Renders the chart as one `<svg>` element.
    pub fn to_svg(&self) -> String {
        let ((x0, x1), (y0, y1)) = self.bounds();
        let transform_y = |y: f64| if self.log_y { y.max(1e-300).log10() } else { y };
        let (ty0, ty1) = (transform_y(y0), transform_y(y1));
        let plot_w = WIDTH - LEFT - RIGHT;
        let plot_h = HEIGHT - TOP - BOTTOM;
        let px = |x: f64| LEFT + (x - x0) / (x1 - x0) * plot_w;
        let py = |y: f64| TOP + plot_h - (transform_y(y) - ty0) / (ty1 - ty0) * plot_h;
        let mut s = String::new();
        let _ = write!(
            s,
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">"#
        );
        let _ = write!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
        let _ = write!(
            s,
            r#"<text x="{}" y="22" font-size="15" font-weight="bold">{}</text>"#,
            LEFT,
            escape(&self.title)
        );
        let _ = write!(
            s,
            r##"<defs><clipPath id="plot"><rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}"/></clipPath></defs>"##
        );
        // Grid and ticks.
        for t in ticks(x0, x1) {
            let x = px(t);
            let _ = write!(
                s,
                r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="#eee"/>"##,
                TOP + plot_h
            );
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                TOP + plot_h + 16.0,
                label(t)
            );
        }
        let y_ticks: Vec<f64> = if self.log_y {
            let (lo, hi) = (ty0.floor() as i32, ty1.ceil() as i32);
            (lo..=hi)
                .map(|e| 10f64.powi(e))
                .filter(|v| *v >= y0 * 0.999 && *v <= y1 * 1.001)
                .collect()
        } else {
            ticks(y0, y1)
        };
        for t in y_ticks {
            let y = py(t);
            let _ = write!(
                s,
                r##"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#eee"/>"##,
                LEFT + plot_w
            );
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
                LEFT - 6.0,
                y + 4.0,
                label(t)
            );
        }
        let _ = write!(
            s,
            r##"<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>"##
        );
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            LEFT + plot_w / 2.0,
            HEIGHT - 12.0,
            escape(&self.x_label)
        );
        let _ = write!(
            s,
            r#"<text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"#,
            TOP + plot_h / 2.0,
            escape(&self.y_label)
        );
        // Data.
        let _ = write!(s, r#"<g clip-path="url(#plot)">"#);
        for series in &self.series {
            let pts: Vec<(f64, f64)> = series
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite() && (!self.log_y || *y > 0.0))
                .collect();
            match series.style {
                Style::Line | Style::Dashed => {
                    let path: Vec<String> = pts
                        .iter()
                        .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
                        .collect();
                    let dash = if series.style == Style::Dashed {
                        r#" stroke-dasharray="6 4""#
                    } else {
                        ""
                    };
                    let _ = write!(
                        s,
                        r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"{dash}/>"#,
                        path.join(" "),
                        series.color
                    );
                }
                Style::Points => {
                    for &(x, y) in &pts {
                        let _ = write!(
                            s,
                            r#"<circle cx="{:.1}" cy="{:.1}" r="2" fill="{}" fill-opacity="0.5"/>"#,
                            px(x),
                            py(y),
                            series.color
                        );
                    }
                }
                Style::Steps => {
                    let base = py(if self.log_y { y0 } else { y0.max(0.0).min(y1) });
                    let mut path = String::new();
                    for pair in pts.windows(2) {
                        let (xa, ya) = pair[0];
                        let xb = pair[1].0;
                        let _ = write!(
                            path,
                            "M{:.1},{base:.1} L{:.1},{:.1} L{:.1},{:.1} L{:.1},{base:.1} Z ",
                            px(xa),
                            px(xa),
                            py(ya),
                            px(xb),
                            py(ya),
                            px(xb)
                        );
                    }
                    let _ = write!(
                        s,
                        r#"<path d="{path}" fill="{0}" fill-opacity="0.25" stroke="{0}" stroke-width="1"/>"#,
                        series.color
                    );
                }
            }
        }
        for v in &self.vlines {
            let x = px(v.x);
            let _ = write!(
                s,
                r#"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{:.1}" stroke="{}" stroke-width="1.5" stroke-dasharray="3 3"/>"#,
                TOP + plot_h,
                v.color
            );
        }
        for m in &self.markers {
            let _ = write!(
                s,
                r#"<circle cx="{:.1}" cy="{:.1}" r="6" fill="none" stroke="{}" stroke-width="2.5"/>"#,
                px(m.at.0),
                py(m.at.1),
                m.color
            );
        }
        let _ = write!(s, "</g>");
        // Labels in the right half of the plot go left of their line or point, so they stay
        // clear of the legend beside the plot.
        let side = |x: f64, gap: f64| {
            if x > LEFT + plot_w / 2.0 {
                (x - gap, "end")
            } else {
                (x + gap, "start")
            }
        };
        for (k, v) in self.vlines.iter().enumerate() {
            let (x, anchor) = side(px(v.x), 3.0);
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{:.1}" fill="{}" font-size="11" text-anchor="{anchor}">{}</text>"#,
                TOP + 12.0 + 13.0 * k as f64,
                v.color,
                escape(&v.label)
            );
        }
        for m in &self.markers {
            let (x, anchor) = side(px(m.at.0), 9.0);
            let _ = write!(
                s,
                r#"<text x="{x:.1}" y="{:.1}" fill="{}" font-size="11" text-anchor="{anchor}">{}</text>"#,
                py(m.at.1) - 8.0,
                m.color,
                escape(&m.label)
            );
        }
        // Legend.
        for (k, series) in self.series.iter().enumerate() {
            let y = TOP + 10.0 + 18.0 * k as f64;
            let x = WIDTH - RIGHT + 12.0;
            let _ = write!(
                s,
                r#"<rect x="{x}" y="{:.1}" width="14" height="4" fill="{}"/>"#,
                y - 2.0,
                series.color
            );
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
                x + 20.0,
                y + 4.0,
                escape(&series.name)
            );
        }
        s.push_str("</svg>");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(
            ticks(0.0, 1.0),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(ticks(0.0, 100.0), vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        let t = ticks(-3.3, 7.1);
        assert!(t.first().unwrap() >= &-3.3 && t.last().unwrap() <= &7.1 && t.len() >= 4);
    }

    #[test]
    fn chart_renders_every_element_and_escapes_text() {
        let chart = Chart {
            title: "loss <val>".into(),
            x_label: "epoch".into(),
            y_label: "loss".into(),
            series: vec![
                Series {
                    name: "a".into(),
                    color: "#1f77b4",
                    style: Style::Line,
                    points: vec![(0.0, 1.0), (1.0, 0.5)],
                },
                Series {
                    name: "b".into(),
                    color: "#d62728",
                    style: Style::Steps,
                    points: vec![(0.0, 2.0), (1.0, 3.0), (2.0, 0.0)],
                },
                Series {
                    name: "c".into(),
                    color: "#2ca02c",
                    style: Style::Points,
                    points: vec![(0.5, f64::NAN), (0.5, 0.7)],
                },
            ],
            vlines: vec![VLine {
                x: 1.0,
                label: "best".into(),
                color: "#000",
            }],
            markers: vec![Marker {
                at: (0.5, 0.7),
                label: "chosen".into(),
                color: "#000",
            }],
            ..Chart::default()
        };
        let svg = chart.to_svg();
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("loss &lt;val&gt;"));
        assert_eq!(svg.matches("<polyline").count(), 1);
        assert_eq!(svg.matches("<path d=").count(), 1);
        assert!(svg.contains(">best<") && svg.contains(">chosen<"));
        assert!(!svg.contains("NaN"));
    }
}
