//! The SVG Gantt chart of the HTML plan: a month and week axis, one band per
//! phase (a header row with its gate and the legacy retirement date, then
//! one row per member with its porting, shadow, canary and cutover
//! segments), a today line, and a legend that names every mark, the critical
//! marking included. Positions are in work days, mapped to calendar dates
//! through the migration's calendar. The chart has a fixed drawing width and
//! a `viewBox`, so it scales to the page instead of overflowing it; every
//! label is placed inside the drawing.

use std::fmt::Write;

use jiff::civil::{Date, Weekday};

use super::context::{ComponentContext, PlanContext};

const ROW: f64 = 22.0;
const LABEL: f64 = 190.0;
const AXIS: f64 = 40.0;
const CHART: f64 = 1000.0;
const RIGHT: f64 = 16.0;
const WIDTH: f64 = LABEL + CHART + RIGHT;
/// Roughly how wide one character of the 11 px sans-serif font is.
const CHAR: f64 = 6.6;

const PORTING: &str = "#4e79a7";
const SHADOW: &str = "#f28e2b";
const CANARY: &str = "#edc948";
const CUTOVER: &str = "#59a14f";
const GATE: &str = "#e15759";
const CRITICAL: &str = "#c00";
const TODAY: &str = "#d62728";
const RETIRED: &str = "#555";

/// Escapes text for SVG/HTML.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The components in the chart's order: by phase, then start, then id.
pub fn chart_order(plan: &PlanContext) -> Vec<&ComponentContext> {
    let mut rows: Vec<&ComponentContext> = plan.components.iter().collect();
    rows.sort_by_key(|c| (c.phase, c.days[0], c.id.clone()));
    rows
}

/// Work days and their x positions.
struct Axis {
    /// The date of each work day, from the plan's start.
    dates: Vec<Date>,
    /// Pixels per work day.
    scale: f64,
    /// Work days drawn.
    span: u32,
}

impl Axis {
    fn new(plan: &PlanContext) -> Axis {
        let last_retirement = plan
            .phases
            .iter()
            .filter_map(|p| p.retirement.parse::<Date>().ok())
            .max();
        let dates = workday_dates(plan, last_retirement);
        let retirement_day = last_retirement.map_or(0, |d| day_of(&dates, d));
        let span = plan.span_days.max(retirement_day + 1).max(1);
        Axis {
            dates,
            scale: CHART / f64::from(span),
            span,
        }
    }

    fn x(&self, day: u32) -> f64 {
        LABEL + f64::from(day.min(self.span)) * self.scale
    }

    fn x_of(&self, date: &str) -> Option<f64> {
        let date = date.parse::<Date>().ok()?;
        Some(self.x(day_of(&self.dates, date)))
    }
}

/// The calendar's work days from the start, far enough to hold `until`.
fn workday_dates(plan: &PlanContext, until: Option<Date>) -> Vec<Date> {
    let Ok(mut date) = plan.start.parse::<Date>() else {
        return Vec::new();
    };
    let worked: Vec<Weekday> = plan.workdays.iter().filter_map(|d| weekday(d)).collect();
    let holidays: Vec<Date> = plan
        .holidays
        .iter()
        .filter_map(|h| h.parse().ok())
        .collect();
    let needed = plan.span_days as usize + 1;
    let mut dates = Vec::with_capacity(needed);
    // Ten years of calendar at most, whatever the spec says.
    for _ in 0..3660 {
        let done = dates.len() >= needed && until.is_none_or(|u| date > u);
        if done || worked.is_empty() {
            break;
        }
        if worked.contains(&date.weekday()) && !holidays.contains(&date) {
            dates.push(date);
        }
        match date.tomorrow() {
            Ok(next) => date = next,
            Err(_) => break,
        }
    }
    dates
}

fn weekday(name: &str) -> Option<Weekday> {
    Some(match name {
        "mon" => Weekday::Monday,
        "tue" => Weekday::Tuesday,
        "wed" => Weekday::Wednesday,
        "thu" => Weekday::Thursday,
        "fri" => Weekday::Friday,
        "sat" => Weekday::Saturday,
        "sun" => Weekday::Sunday,
        _ => return None,
    })
}

/// The first work day on or after `date`.
fn day_of(dates: &[Date], date: Date) -> u32 {
    dates.partition_point(|d| *d < date) as u32
}

/// Renders the chart for a plan.
pub fn gantt_svg(plan: &PlanContext) -> String {
    let axis = Axis::new(plan);
    let rows = chart_order(plan);
    let body = AXIS + ROW * (rows.len() + plan.phases.len()) as f64;
    let legend_rows = legend_items().len().div_ceil(5) as f64;
    let height = body + 14.0 + 18.0 * legend_rows;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH:.0}" height="{height:.0}" viewBox="0 0 {WIDTH:.0} {height:.0}" role="img" aria-label="Gantt chart of the migration plan" font-family="sans-serif" font-size="11">"#
    );
    let mut y = AXIS;
    for phase in &plan.phases {
        let members: Vec<&&ComponentContext> =
            rows.iter().filter(|c| c.phase == phase.number).collect();
        let band = ROW * (members.len() + 1) as f64;
        let fill = if phase.number % 2 == 0 {
            "#f2f2f2"
        } else {
            "#fafafa"
        };
        let _ = write!(
            svg,
            r#"<rect x="0" y="{y:.0}" width="{WIDTH:.0}" height="{band:.0}" fill="{fill}"/>"#
        );
        phase_header(&mut svg, &axis, phase, y);
        for (i, component) in members.iter().enumerate() {
            component_row(&mut svg, &axis, component, y + ROW * (i + 1) as f64);
        }
        y += band;
    }
    month_and_week_axis(&mut svg, &axis, body);
    today_line(&mut svg, &axis, body);
    legend(&mut svg, body + 14.0);
    svg.push_str("</svg>");
    svg
}

/// A phase's header row: its name, its gate and its retirement date,
/// labels kept inside the drawing.
fn phase_header(svg: &mut String, axis: &Axis, phase: &super::context::PhaseContext, y: f64) {
    let name = truncate(
        &format!("Phase {} · {}", phase.number, phase.name),
        LABEL - 8.0,
    );
    let _ = write!(
        svg,
        r##"<text x="4" y="{:.0}" font-weight="bold" fill="#333">{}<title>Phase {} · {}</title></text>"##,
        y + 15.0,
        escape(&name),
        phase.number,
        escape(&phase.name)
    );
    let gate = axis.x_of(&phase.gate);
    let retirement = axis.x_of(&phase.retirement);
    let retire_label = format!("retire {}", phase.retirement);
    // Late phases retire near the right edge: one label left of the gate
    // then says both, so the two never overlap.
    let retire_fits_right =
        retirement.is_some_and(|rx| rx + 9.0 + text_width(&retire_label) <= WIDTH - 2.0);
    if let Some(gx) = gate {
        let cy = y + ROW / 2.0;
        let _ = write!(
            svg,
            r##"<polygon points="{:.1},{:.1} {:.1},{cy:.1} {:.1},{:.1} {:.1},{cy:.1}" fill="{GATE}"><title>Gate of phase {} on {}</title></polygon>"##,
            gx,
            cy - 6.0,
            gx + 6.0,
            gx,
            cy + 6.0,
            gx - 6.0,
            phase.number,
            escape(&phase.gate)
        );
        let label = if retire_fits_right || retirement.is_none() {
            format!("gate {}", phase.gate)
        } else {
            format!("gate {} · {retire_label}", phase.gate)
        };
        inside_label(svg, gx, y + 15.0, &label, false);
    }
    if let Some(rx) = retirement {
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="3" height="14" fill="{RETIRED}"><title>Legacy of phase {} retired on {}</title></rect>"##,
            rx - 1.5,
            y + 4.0,
            phase.number,
            escape(&phase.retirement)
        );
        if retire_fits_right || gate.is_none() {
            inside_label(svg, rx, y + 15.0, &retire_label, true);
        }
    }
}

fn text_width(text: &str) -> f64 {
    text.chars().count() as f64 * CHAR
}

/// A label beside the mark at `x`: on the preferred side when it fits
/// inside the time area, else on the other.
fn inside_label(svg: &mut String, x: f64, y: f64, text: &str, right: bool) {
    let width = text_width(text);
    let fits_right = x + 9.0 + width <= WIDTH - 2.0;
    let fits_left = x - 9.0 - width >= LABEL;
    let (anchor, at) = match (right, fits_right, fits_left) {
        (true, true, _) | (false, true, false) => ("start", x + 9.0),
        _ => ("end", x - 9.0),
    };
    let _ = write!(
        svg,
        r##"<text x="{at:.1}" y="{y:.0}" text-anchor="{anchor}" fill="#333" font-size="10">{}</text>"##,
        escape(text)
    );
}

fn component_row(svg: &mut String, axis: &Axis, c: &ComponentContext, y: f64) {
    let label = truncate(&c.id, LABEL - 16.0);
    let _ = write!(
        svg,
        r##"<text x="12" y="{:.0}"{}>{}<title>{}{}</title></text>"##,
        y + 15.0,
        if c.critical {
            format!(r#" font-weight="bold" fill="{CRITICAL}""#)
        } else {
            String::new()
        },
        escape(&label),
        escape(&c.id),
        if c.critical {
            " (critical path: zero slack)"
        } else {
            ""
        }
    );
    let [port, shadow, canary, cutover] = c.days;
    let segments = [
        (port, shadow, PORTING, "porting"),
        (shadow, canary, SHADOW, "shadow"),
        (canary, cutover, CANARY, "canary"),
        (cutover, cutover + 1, CUTOVER, "cutover"),
    ];
    for (from, to, colour, what) in segments.into_iter().filter(|(f, t, ..)| t > f) {
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.0}" width="{:.1}" height="14" fill="{colour}"{}><title>{} {what}: {}</title></rect>"##,
            axis.x(from),
            y + 4.0,
            (f64::from(to - from) * axis.scale).max(1.0),
            if c.critical {
                format!(r#" stroke="{CRITICAL}" stroke-width="1.5""#)
            } else {
                String::new()
            },
            escape(&c.id),
            crate::text::count((to - from) as usize, "work day")
        );
    }
}

/// Month boundaries (line and label) and week starts (tick, day of month
/// when there is room), along the top.
fn month_and_week_axis(svg: &mut String, axis: &Axis, bottom: f64) {
    let mut last_label = f64::MIN;
    let week_labels = axis.scale * 5.0 >= 22.0;
    for (day, date) in axis.dates.iter().enumerate().take(axis.span as usize + 1) {
        let day = day as u32;
        let previous = day.checked_sub(1).and_then(|d| axis.dates.get(d as usize));
        let x = axis.x(day);
        let new_month = previous.is_none_or(|p| p.month() != date.month());
        let new_week = previous.is_none_or(|p| {
            p.weekday().to_monday_zero_offset() >= date.weekday().to_monday_zero_offset()
        });
        if new_month {
            let _ = write!(
                svg,
                r##"<line x1="{x:.1}" y1="4" x2="{x:.1}" y2="{bottom:.0}" stroke="#bbb"/>"##
            );
            let text = date.strftime("%b %Y").to_string();
            if x - last_label >= 60.0 && x + text.len() as f64 * CHAR <= WIDTH {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="14" fill="#333">{text}</text>"##,
                    x + 3.0
                );
                last_label = x;
            }
        }
        if new_week {
            let _ = write!(
                svg,
                r##"<line x1="{x:.1}" y1="{:.0}" x2="{x:.1}" y2="{bottom:.0}" stroke="#e4e4e4"/>"##,
                AXIS - 14.0
            );
            if week_labels && x + 14.0 <= WIDTH {
                let _ = write!(
                    svg,
                    r##"<text x="{:.1}" y="{:.0}" fill="#777" font-size="9">{}</text>"##,
                    x + 2.0,
                    AXIS - 4.0,
                    date.day()
                );
            }
        }
    }
}

/// A line at today's date, when it falls inside the plan.
fn today_line(svg: &mut String, axis: &Axis, bottom: f64) {
    let today = jiff::Zoned::now().date();
    let (Some(first), Some(last)) = (axis.dates.first(), axis.dates.get(axis.span as usize)) else {
        return;
    };
    if today < *first || today > *last {
        return;
    }
    let x = axis.x(day_of(&axis.dates, today));
    let _ = write!(
        svg,
        r##"<line x1="{x:.1}" y1="18" x2="{x:.1}" y2="{bottom:.0}" stroke="{TODAY}" stroke-width="1.5"><title>today, {today}</title></line>"##
    );
    inside_label(svg, x, 27.0, "today", true);
}

fn legend_items() -> [(&'static str, &'static str, &'static str); 9] {
    [
        ("bar", PORTING, "porting"),
        ("bar", SHADOW, "shadow soak"),
        ("bar", CANARY, "canary soak"),
        ("bar", CUTOVER, "cutover"),
        ("gate", GATE, "phase gate"),
        ("retired", RETIRED, "legacy retired"),
        ("today", TODAY, "today"),
        (
            "critical",
            CRITICAL,
            "critical path (zero slack): bold name, outlined bars",
        ),
        ("band", "#f2f2f2", "phase band"),
    ]
}

fn legend(svg: &mut String, top: f64) {
    let (mut x, mut y) = (4.0, top);
    for (shape, colour, label) in legend_items() {
        let width = 18.0 + label.chars().count() as f64 * CHAR + 16.0;
        if x + width > WIDTH {
            x = 4.0;
            y += 18.0;
        }
        let mark = match shape {
            "gate" => format!(
                r#"<polygon points="{:.1},{y:.1} {:.1},{:.1} {:.1},{:.1} {x:.1},{:.1}" fill="{colour}"/>"#,
                x + 5.0,
                x + 10.0,
                y + 5.0,
                x + 5.0,
                y + 10.0,
                y + 5.0
            ),
            "today" => format!(
                r#"<line x1="{0:.1}" y1="{y:.1}" x2="{0:.1}" y2="{1:.1}" stroke="{colour}" stroke-width="1.5"/>"#,
                x + 5.0,
                y + 10.0
            ),
            "retired" => format!(
                r#"<rect x="{:.1}" y="{y:.1}" width="3" height="10" fill="{colour}"/>"#,
                x + 3.5
            ),
            "critical" => format!(
                r#"<rect x="{x:.1}" y="{y:.1}" width="10" height="10" fill="{PORTING}" stroke="{colour}" stroke-width="1.5"/>"#
            ),
            "band" => format!(
                r##"<rect x="{x:.1}" y="{y:.1}" width="10" height="10" fill="{colour}" stroke="#ccc"/>"##
            ),
            _ => format!(r#"<rect x="{x:.1}" y="{y:.1}" width="10" height="10" fill="{colour}"/>"#),
        };
        let _ = write!(
            svg,
            r#"{mark}<text x="{:.1}" y="{:.1}">{label}</text>"#,
            x + 16.0,
            y + 9.0
        );
        x += width;
    }
}

/// `text`, cut with an ellipsis to fit `width` pixels.
fn truncate(text: &str, width: f64) -> String {
    let max = (width / CHAR) as usize;
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_names_are_cut_to_fit() {
        assert_eq!(truncate("short", 100.0), "short");
        let cut = truncate(&"x".repeat(60), 66.0);
        assert_eq!(cut.chars().count(), 10);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn work_days_skip_weekends_and_holidays() {
        let dates: Vec<Date> = ["2027-01-04", "2027-01-05", "2027-01-07"]
            .iter()
            .map(|d| d.parse().expect("date"))
            .collect();
        assert_eq!(day_of(&dates, "2027-01-06".parse().expect("date")), 2);
        assert_eq!(day_of(&dates, "2027-01-04".parse().expect("date")), 0);
    }
}
