//! One self-contained HTML page (inline CSS and SVG, no scripts, no network) from sections of
//! paragraphs, tables and charts.

use crate::report::svg::escape;

/// A piece of a section.
#[derive(Debug, Clone)]
pub enum Block {
    /// A paragraph of plain text.
    Paragraph(String),
    /// A paragraph that stands out (a warning or the headline).
    Callout(String),
    /// A table with a header row.
    Table {
        /// Column headings.
        header: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<String>>,
    },
    /// Charts side by side (each an `<svg>` string).
    Charts(Vec<String>),
}

/// A titled section.
#[derive(Debug, Clone)]
pub struct Section {
    /// Heading.
    pub heading: String,
    /// Content, in order.
    pub blocks: Vec<Block>,
}

/// A page.
#[derive(Debug, Clone)]
pub struct Page {
    /// `<title>` and top heading.
    pub title: String,
    /// Sections, in order.
    pub sections: Vec<Section>,
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:1500px;margin:2em auto;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:1.8em;border-bottom:1px solid #ddd}\
table{border-collapse:collapse;margin:.6em 0}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}\
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}\
.callout{background:#fff6e0;border-left:4px solid #e0a000;padding:.5em 1em}\
.charts{display:flex;flex-wrap:wrap;gap:1em}.charts svg{max-width:100%;height:auto;border:1px solid #eee}";

impl Page {
    /// The whole document.
    pub fn render(&self) -> String {
        let mut html = format!(
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{0}</title><style>{STYLE}</style></head><body>\n<h1>{0}</h1>\n",
            escape(&self.title)
        );
        for section in &self.sections {
            html.push_str(&format!("<h2>{}</h2>\n", escape(&section.heading)));
            for block in &section.blocks {
                match block {
                    Block::Paragraph(text) => html.push_str(&format!("<p>{}</p>\n", escape(text))),
                    Block::Callout(text) => {
                        html.push_str(&format!("<p class=\"callout\">{}</p>\n", escape(text)))
                    }
                    Block::Table { header, rows } => {
                        html.push_str("<table><tr>");
                        for h in header {
                            html.push_str(&format!("<th>{}</th>", escape(h)));
                        }
                        html.push_str("</tr>\n");
                        for row in rows {
                            html.push_str("<tr>");
                            for cell in row {
                                html.push_str(&format!("<td>{}</td>", escape(cell)));
                            }
                            html.push_str("</tr>\n");
                        }
                        html.push_str("</table>\n");
                    }
                    Block::Charts(svgs) => {
                        html.push_str("<div class=\"charts\">");
                        for svg in svgs {
                            html.push_str(svg);
                        }
                        html.push_str("</div>\n");
                    }
                }
            }
        }
        html.push_str("</body></html>\n");
        html
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_escaped_sections_and_inline_charts() {
        let page = Page {
            title: "Report <x>".into(),
            sections: vec![Section {
                heading: "A & B".into(),
                blocks: vec![
                    Block::Callout("watch out".into()),
                    Block::Table {
                        header: vec!["k".into(), "v".into()],
                        rows: vec![vec!["ap".into(), "0.8".into()]],
                    },
                    Block::Charts(vec!["<svg></svg>".into()]),
                ],
            }],
        };
        let html = page.render();
        assert!(html.starts_with("<!DOCTYPE html>") && html.ends_with("</html>\n"));
        assert!(html.contains("<h1>Report &lt;x&gt;</h1>") && html.contains("<h2>A &amp; B</h2>"));
        assert!(html.contains("<td>ap</td><td>0.8</td>") && html.contains("<svg></svg>"));
        assert!(!html.contains("<script"), "self-contained, no scripts");
    }
}
