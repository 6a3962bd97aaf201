//! Charts drawn as inline SVG on the server: no script, no CDN, no font files.
//!
//! Every chart is a `<figure>` holding an `<svg role="img">` (`role="group"` when it holds
//! drill-down links: an image's children are presentational, so links inside an `img`
//! would be hidden from assistive technology) whose `<title>` and `<desc>`
//! name it for screen readers, axes with ticks and the unit, and a `<details>` table with
//! every value (the text alternative, also what a keyboard user can read). Values are
//! placed by these functions; colours come from the stylesheet (`.chart .sN` classes), so
//! the figures stay readable in both themes and meet contrast on the page background.
//!
//! A point, bar or bin may carry a drill-down link (`href`): it becomes an SVG `<a>`, which
//! is focusable with the keyboard, and the same link is repeated in the data table.
//! All text passed in (labels come from mentions, topics, authors) is escaped by maud.

use maud::{html, Markup, PreEscaped};

/// Drawing area inside the SVG viewBox (in SVG units; the SVG scales to its container).
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 260.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 36.0;
/// At most this many series get their own colour class; more reuse the palette.
const PALETTE: usize = 8;

/// The translated words around a chart.
#[derive(Debug, Clone, Default)]
pub struct ChartText {
    /// The chart's name, shown as the caption and the SVG `<title>`.
    pub title: String,
    /// One sentence describing what it shows (the SVG `<desc>`).
    pub description: String,
    /// What the horizontal axis counts, e.g. "Hour (UTC)".
    pub x_label: String,
    /// What the vertical axis counts, with its unit, e.g. "Mentions per hour".
    pub y_label: String,
    /// The summary of the `<details>` data table, e.g. "Data table".
    pub table_summary: String,
}

/// One named series of a time chart: one value per bucket.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

/// A chart over time buckets: the same buckets for every series.
#[derive(Debug, Clone, Default)]
pub struct TimeChart {
    pub text: ChartText,
    /// The label of each bucket (e.g. "14:00"), in order.
    pub buckets: Vec<String>,
    pub series: Vec<Series>,
    /// Buckets flagged as anomalies (indices into `buckets`): drawn as a band and listed in the table.
    pub anomalies: Vec<usize>,
    /// A drill-down link per bucket (same length as `buckets`), or empty for none.
    pub hrefs: Vec<String>,
}

/// One bar of a bar chart.
#[derive(Debug, Clone)]
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub href: Option<String>,
}

/// One bin of a histogram: `[low, high)` and how many fall in it.
#[derive(Debug, Clone)]
pub struct Bin {
    pub low: f64,
    pub high: f64,
    pub count: u64,
    pub href: Option<String>,
}

/// A value marked on a histogram's axis (e.g. "median 4.2 min").
#[derive(Debug, Clone)]
pub struct Marker {
    pub label: String,
    pub value: f64,
}

/// Formats a number for an axis or a table: integers without decimals, others with at most two.
pub fn format_number(value: f64) -> String {
    if !value.is_finite() {
        return "–".to_owned();
    }
    if (value - value.round()).abs() < 1e-9 {
        format!("{}", value.round() as i64)
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// "Nice" tick values from 0 to at least `max` (1, 2 or 5 times a power of ten).
fn ticks(max: f64) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 { max } else { 1.0 };
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    let mut values = vec![0.0];
    while *values.last().unwrap_or(&0.0) < max - 1e-9 {
        let next = values.len() as f64 * step;
        values.push(next);
        if values.len() > 12 {
            break;
        }
    }
    values
}

fn clean(values: &[f64]) -> impl Iterator<Item = f64> + '_ {
    values.iter().map(|v| if v.is_finite() && *v > 0.0 { *v } else { 0.0 })
}

/// The vertical axis: grid lines, tick labels and the axis title. Returns the top tick.
fn y_axis(max: f64, y_label: &str) -> (Markup, f64) {
    let ticks = ticks(max);
    let top = *ticks.last().unwrap_or(&1.0);
    let plot_h = HEIGHT - TOP - BOTTOM;
    let markup = html! {
        g class="axis y" {
            @for t in &ticks {
                @let y = TOP + plot_h - t / top * plot_h;
                line class="grid" x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y) y2=(y) {}
                text x=(LEFT - 6.0) y=(y + 4.0) text-anchor="end" { (format_number(*t)) }
            }
            text class="axis-title" x="12" y=(TOP + plot_h / 2.0) text-anchor="middle"
                transform=(format!("rotate(-90 12 {})", TOP + plot_h / 2.0)) { (y_label) }
        }
    };
    (markup, top)
}

/// Bucket labels under the horizontal axis: at most about eight, evenly spaced.
fn x_labels(buckets: &[String], x_of: impl Fn(usize) -> f64, x_label: &str) -> Markup {
    let every = buckets.len().div_ceil(8).max(1);
    html! {
        g class="axis x" {
            line class="baseline" x1=(LEFT) x2=(WIDTH - RIGHT) y1=(HEIGHT - BOTTOM) y2=(HEIGHT - BOTTOM) {}
            @for (i, label) in buckets.iter().enumerate() {
                @if i % every == 0 {
                    text x=(x_of(i)) y=(HEIGHT - BOTTOM + 14.0) text-anchor="middle" { (label) }
                }
            }
            text class="axis-title" x=(LEFT + (WIDTH - LEFT - RIGHT) / 2.0) y=(HEIGHT - 4.0) text-anchor="middle" { (x_label) }
        }
    }
}

/// `img` for a picture, `group` when the SVG holds links a keyboard can reach.
fn svg_role(has_links: bool) -> &'static str {
    if has_links { "group" } else { "img" }
}

fn svg_open(id: &str, has_links: bool) -> PreEscaped<String> {
    let role = svg_role(has_links);
    // Written by hand so the ids link title and desc; `id` is made of `[a-z0-9-]` only.
    PreEscaped(format!(
        r#"<svg class="chart-svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="{role}" aria-labelledby="{id}-t {id}-d" preserveAspectRatio="xMidYMid meet">"#
    ))
}

/// A chart's id from its title: stable, made of `[a-z0-9-]` only.
fn chart_id(title: &str) -> String {
    let mut id = String::from("chart-");
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            id.push(c);
        } else if !id.ends_with('-') {
            id.push('-');
        }
        if id.len() > 40 {
            break;
        }
    }
    id
}

fn legend(series: &[Series]) -> Markup {
    html! {
        @if series.len() > 1 {
            ul class="legend" {
                @for (i, s) in series.iter().enumerate() {
                    li { span class=(format!("swatch s{}", i % PALETTE)) aria-hidden="true" {} (s.name) }
                }
            }
        }
    }
}

/// Lines over time buckets (volume by source, by sentiment…), anomalies shaded.
pub fn line_chart(chart: &TimeChart) -> Markup {
    time_chart(chart, false)
}

/// Stacked bars over time buckets (each bucket's total split by series).
pub fn stacked_bars(chart: &TimeChart) -> Markup {
    time_chart(chart, true)
}

fn time_chart(chart: &TimeChart, stacked: bool) -> Markup {
    let n = chart.buckets.len();
    let id = chart_id(&chart.text.title);
    let max = if stacked {
        (0..n).map(|i| chart.series.iter().map(|s| clean(&s.values).nth(i).unwrap_or(0.0)).sum::<f64>()).fold(0.0, f64::max)
    } else {
        chart.series.iter().flat_map(|s| clean(&s.values)).fold(0.0, f64::max)
    };
    let (y_axis, top) = y_axis(max, &chart.text.y_label);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / n.max(1) as f64;
    let x_of = |i: usize| LEFT + slot * (i as f64 + 0.5);
    let y_of = |v: f64| TOP + plot_h - v / top * plot_h;
    let value = |s: &Series, i: usize| clean(&s.values).nth(i).unwrap_or(0.0);
    let href = |i: usize| chart.hrefs.get(i).filter(|h| !h.is_empty());
    html! {
        figure class="chart" id=(id) {
            figcaption { (chart.text.title) }
            (svg_open(&id, chart.hrefs.iter().any(|h| !h.is_empty())))
            title id=(format!("{id}-t")) { (chart.text.title) }
            desc id=(format!("{id}-d")) { (chart.text.description) }
            @for i in &chart.anomalies {
                @if *i < n {
                    rect class="anomaly" x=(LEFT + slot * *i as f64) y=(TOP) width=(slot) height=(plot_h) {}
                }
            }
            (y_axis)
            (x_labels(&chart.buckets, x_of, &chart.text.x_label))
            @if stacked {
                @for i in 0..n {
                    @let bars = stacked_column(chart, i, x_of(i), slot, &y_of, top, plot_h);
                    @if let Some(h) = href(i) { a href=(h) { (bars) } } @else { (bars) }
                }
            } @else {
                @for (k, s) in chart.series.iter().enumerate() {
                    @let points: Vec<String> = (0..n).map(|i| format!("{:.1},{:.1}", x_of(i), y_of(value(s, i)))).collect();
                    polyline class=(format!("line s{}", k % PALETTE)) fill="none" points=(points.join(" ")) {}
                    @if n <= 96 {
                        @for i in 0..n {
                            @let dot = html! { circle class=(format!("dot s{}", k % PALETTE)) cx=(x_of(i)) cy=(y_of(value(s, i))) r="3" {
                                title { (s.name) " · " (chart.buckets[i]) ": " (format_number(value(s, i))) } } };
                            @if let Some(h) = href(i) { a href=(h) { (dot) } } @else { (dot) }
                        }
                    }
                }
            }
            (PreEscaped("</svg>"))
            (legend(&chart.series))
            details class="chart-data" {
                summary { (chart.text.table_summary) }
                table {
                    caption class="visually-hidden" { (chart.text.title) }
                    thead { tr { th scope="col" { (chart.text.x_label) } @for s in &chart.series { th scope="col" { (s.name) } } } }
                    tbody {
                        @for (i, bucket) in chart.buckets.iter().enumerate() {
                            tr class=[chart.anomalies.contains(&i).then_some("anomaly")] {
                                th scope="row" {
                                    @if let Some(h) = href(i) { a href=(h) { (bucket) } } @else { (bucket) }
                                    @if chart.anomalies.contains(&i) { " ⚠" }
                                }
                                @for s in &chart.series { td { (format_number(value(s, i))) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn stacked_column(chart: &TimeChart, i: usize, x: f64, slot: f64, y_of: &impl Fn(f64) -> f64, top: f64, plot_h: f64) -> Markup {
    let width = (slot * 0.7).max(1.0);
    // (series index, value, cumulative top) of each non-zero segment, bottom to top.
    let mut base = 0.0;
    let segments: Vec<(usize, f64, f64)> = chart
        .series
        .iter()
        .enumerate()
        .filter_map(|(k, s)| {
            let v = clean(&s.values).nth(i).unwrap_or(0.0);
            base += v;
            (v > 0.0).then_some((k, v, base))
        })
        .collect();
    html! {
        g {
            title { (chart.buckets[i]) }
            @for (k, v, top_value) in segments {
                rect class=(format!("bar s{}", k % PALETTE)) x=(x - width / 2.0) y=(y_of(top_value)) width=(width)
                    height=((v / top * plot_h).max(0.5)) { title { (chart.series[k].name) ": " (format_number(v)) } }
            }
        }
    }
}

/// Horizontal bars, one per label (complaint reasons, share of voice, top authors).
pub fn bar_chart(text: &ChartText, bars: &[Bar]) -> Markup {
    let id = chart_id(&text.title);
    let row = 26.0;
    let height = TOP + row * bars.len().max(1) as f64 + BOTTOM;
    let label_w = 190.0;
    let plot_w = WIDTH - label_w - RIGHT - 48.0;
    let max = bars.iter().map(|b| if b.value.is_finite() { b.value.max(0.0) } else { 0.0 }).fold(0.0, f64::max);
    let scale = if max > 0.0 { plot_w / max } else { 0.0 };
    html! {
        figure class="chart" id=(id) {
            figcaption { (text.title) }
            (PreEscaped(format!(r#"<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" role="{}" aria-labelledby="{id}-t {id}-d">"#, svg_role(bars.iter().any(|b| b.href.is_some())))))
            title id=(format!("{id}-t")) { (text.title) }
            desc id=(format!("{id}-d")) { (text.description) }
            @for (i, b) in bars.iter().enumerate() {
                @let y = TOP + row * i as f64;
                @let v = if b.value.is_finite() { b.value.max(0.0) } else { 0.0 };
                @let body = html! {
                    g class="hbar" {
                        text x=(label_w - 8.0) y=(y + row * 0.65) text-anchor="end" { (truncate(&b.label, 28)) }
                        rect class=(format!("bar s{}", i % PALETTE)) x=(label_w) y=(y + 4.0) width=((v * scale).max(1.0)) height=(row - 8.0) {
                            title { (b.label) ": " (format_number(v)) }
                        }
                        text class="value" x=(label_w + v * scale + 6.0) y=(y + row * 0.65) { (format_number(v)) }
                    }
                };
                @if let Some(h) = &b.href { a href=(h) { (body) } } @else { (body) }
            }
            text class="axis-title" x=(label_w + plot_w / 2.0) y=(height - 8.0) text-anchor="middle" { (text.x_label) }
            (PreEscaped("</svg>"))
            details class="chart-data" {
                summary { (text.table_summary) }
                table {
                    caption class="visually-hidden" { (text.title) }
                    thead { tr { th scope="col" { (text.y_label) } th scope="col" { (text.x_label) } } }
                    tbody {
                        @for b in bars {
                            tr {
                                th scope="row" { @if let Some(h) = &b.href { a href=(h) { (b.label) } } @else { (b.label) } }
                                td { (format_number(b.value)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A histogram of a distribution (first response times…), with markers such as the median and p90.
pub fn histogram(text: &ChartText, bins: &[Bin], markers: &[Marker]) -> Markup {
    let id = chart_id(&text.title);
    let n = bins.len();
    let max = bins.iter().map(|b| b.count as f64).fold(0.0, f64::max);
    let (y_axis, top) = y_axis(max, &text.y_label);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let slot = plot_w / n.max(1) as f64;
    let low = bins.first().map(|b| b.low).unwrap_or(0.0);
    let high = bins.last().map(|b| b.high).unwrap_or(1.0);
    let span = if high > low { high - low } else { 1.0 };
    let labels: Vec<String> = bins.iter().map(|b| format!("{}–{}", format_number(b.low), format_number(b.high))).collect();
    html! {
        figure class="chart" id=(id) {
            figcaption { (text.title) }
            (svg_open(&id, bins.iter().any(|b| b.href.is_some())))
            title id=(format!("{id}-t")) { (text.title) }
            desc id=(format!("{id}-d")) { (text.description) }
            (y_axis)
            (x_labels(&labels, |i| LEFT + slot * (i as f64 + 0.5), &text.x_label))
            @for (i, b) in bins.iter().enumerate() {
                @let h = b.count as f64 / top * plot_h;
                @let body = html! {
                    rect class="bar s0" x=(LEFT + slot * i as f64 + 1.0) y=(TOP + plot_h - h) width=((slot - 2.0).max(1.0)) height=(h.max(0.5)) {
                        title { (labels[i]) ": " (b.count) }
                    }
                };
                @if let Some(href) = &b.href { a href=(href) { (body) } } @else { (body) }
            }
            @for m in markers {
                @if m.value.is_finite() {
                    @let x = LEFT + marker_position(bins, m.value).unwrap_or_else(|| ((m.value - low) / span).clamp(0.0, 1.0) * n.max(1) as f64) * slot;
                    line class="marker" x1=(x) x2=(x) y1=(TOP) y2=(TOP + plot_h) {}
                    text class="marker-label" x=(x + 4.0) y=(TOP + 10.0) { (m.label) }
                }
            }
            (PreEscaped("</svg>"))
            details class="chart-data" {
                summary { (text.table_summary) }
                table {
                    caption class="visually-hidden" { (text.title) }
                    thead { tr { th scope="col" { (text.x_label) } th scope="col" { (text.y_label) } } }
                    tbody {
                        @for (i, b) in bins.iter().enumerate() {
                            tr {
                                th scope="row" { @if let Some(h) = &b.href { a href=(h) { (labels[i]) } } @else { (labels[i]) } }
                                td { (b.count) }
                            }
                        }
                        @for m in markers { tr { th scope="row" { (m.label) } td { (format_number(m.value)) } } }
                    }
                }
            }
        }
    }
}

/// Where `value` falls in slot units (bin index plus the fraction inside the bin), so a
/// marker lands in the right bar even when bins have unequal widths (1–5, 5–15, 15–30…).
fn marker_position(bins: &[Bin], value: f64) -> Option<f64> {
    bins.iter().enumerate().find_map(|(index, bin)| {
        let width = bin.high - bin.low;
        (value >= bin.low && value < bin.high && width > 0.0).then(|| index as f64 + (value - bin.low) / width)
    })
}

fn truncate(label: &str, max: usize) -> String {
    if label.chars().count() <= max {
        label.to_owned()
    } else {
        let mut out: String = label.chars().take(max - 1).collect();
        out.push('…');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> ChartText {
        ChartText {
            title: "Volume <by> source".into(),
            description: "Mentions per hour".into(),
            x_label: "Hour".into(),
            y_label: "Mentions".into(),
            table_summary: "Data".into(),
        }
    }

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(0.0), vec![0.0, 0.5, 1.0]);
        assert_eq!(ticks(7.0), vec![0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(ticks(100.0), vec![0.0, 50.0, 100.0]);
        assert!(*ticks(1234.0).last().unwrap() >= 1234.0);
        assert!(ticks(f64::NAN).len() >= 2);
    }

    #[test]
    fn a_line_chart_is_labelled_escaped_and_has_its_table() {
        let chart = TimeChart {
            text: text(),
            buckets: vec!["10:00".into(), "11:00".into(), "12:00".into()],
            series: vec![
                Series { name: "<script>alert(1)</script>".into(), values: vec![1.0, 5.0, 2.0] },
                Series { name: "bluesky".into(), values: vec![0.0, f64::NAN, -3.0] },
            ],
            anomalies: vec![1, 9],
            hrefs: vec!["/app/search?q=a&b=1".into(), String::new(), "/x".into()],
        };
        let html = line_chart(&chart).into_string();
        assert!(html.contains(r#"role="group""#), "links inside: a group, not an image");
        assert!(stacked_bars(&TimeChart { hrefs: vec![], ..chart.clone() }).into_string().contains(r#"role="img""#));
        assert!(html.contains("<title id=\"chart-volume-by-source-t\">Volume &lt;by&gt; source</title>"));
        assert!(!html.contains("<script>"), "labels are escaped");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains(r#"href="/app/search?q=a&amp;b=1""#));
        assert_eq!(html.matches("<rect class=\"anomaly\"").count(), 1, "the out-of-range anomaly is ignored");
        assert!(html.contains("<td>5</td>"));
        assert!(!html.contains("NaN"), "non-finite values are drawn as zero");
        assert_eq!(html.matches("<polyline").count(), 2);
    }

    #[test]
    fn stacked_bars_sum_series_and_skip_zeros() {
        let chart = TimeChart {
            text: text(),
            buckets: vec!["a".into(), "b".into()],
            series: vec![
                Series { name: "neg".into(), values: vec![3.0, 0.0] },
                Series { name: "pos".into(), values: vec![1.0, 2.0] },
            ],
            ..TimeChart::default()
        };
        let html = stacked_bars(&chart).into_string();
        assert!(html.contains(r#"role="img""#), "without links, an image");
        assert_eq!(html.matches("<rect class=\"bar").count(), 3);
        // The tallest column (4) sets the scale: ticks reach at least 4.
        assert!(html.contains(">4</text>"));
    }

    #[test]
    fn bars_and_histograms_render_empty_and_full() {
        let empty = bar_chart(&text(), &[]).into_string();
        assert!(empty.contains("<svg"));
        let bars = bar_chart(
            &text(),
            &[
                Bar { label: "Late Flight".into(), value: 12.0, href: Some("/app/search?q=reason:delay".into()) },
                Bar { label: "a very long label that goes on and on and on".into(), value: 3.0, href: None },
            ],
        )
        .into_string();
        assert!(bars.contains("…"));
        assert!(bars.contains("a very long label that goes on and on and on</th>"), "the table keeps the full label");
        let hist = histogram(
            &text(),
            &[Bin { low: 0.0, high: 5.0, count: 10, href: None }, Bin { low: 5.0, high: 10.0, count: 4, href: None }],
            &[Marker { label: "median".into(), value: 3.5 }, Marker { label: "p90".into(), value: f64::INFINITY }],
        )
        .into_string();
        assert!(hist.contains("0–5"));
        assert_eq!(hist.matches("class=\"marker\"").count(), 1);
        assert!(histogram(&text(), &[], &[]).into_string().contains("<svg"));
    }

    #[test]
    fn markers_land_in_their_bin_when_bins_are_unequal() {
        let bins = [
            Bin { low: 0.0, high: 5.0, count: 1, href: None },
            Bin { low: 5.0, high: 15.0, count: 1, href: None },
            Bin { low: 15.0, high: 1440.0, count: 1, href: None },
        ];
        assert_eq!(marker_position(&bins, 10.0), Some(1.5));
        assert_eq!(marker_position(&bins, 0.0), Some(0.0));
        assert_eq!(marker_position(&bins, 5000.0), None);
    }

    #[test]
    fn ids_are_safe() {
        assert_eq!(chart_id("Share of voice — \"quoted\" <x>"), "chart-share-of-voice-quoted-x-");
    }
}
