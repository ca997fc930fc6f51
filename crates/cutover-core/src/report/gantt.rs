//! The SVG Gantt chart of the HTML plan: one row per component with its
//! porting, shadow, canary and cutover segments, phase bands, and gate
//! diamonds. Positions are in work days, labelled with dates.

use std::fmt::Write;

use super::context::PlanContext;

const ROW: u32 = 22;
const LABEL: u32 = 220;
const TOP: u32 = 40;

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

/// Renders the chart for a plan.
pub fn gantt_svg(plan: &PlanContext) -> String {
    let span = plan.span_days.max(1);
    let scale = (900.0 / f64::from(span)).clamp(2.0, 24.0);
    let x = |day: u32| f64::from(LABEL) + f64::from(day) * scale;
    let mut rows: Vec<&super::context::ComponentContext> = plan.components.iter().collect();
    rows.sort_by_key(|c| (c.phase, c.days[0], c.id.clone()));
    let height = TOP + ROW * rows.len() as u32 + 30;
    let width = x(span) + 180.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0}" height="{height}" viewBox="0 0 {width:.0} {height}" role="img" aria-label="Gantt chart of the migration plan" font-family="sans-serif" font-size="11">"#
    );
    phase_bands(&mut svg, plan, &rows, &x);
    for (i, c) in rows.iter().enumerate() {
        let y = TOP + ROW * i as u32;
        let [port, shadow, canary, cutover] = c.days;
        let _ = write!(
            svg,
            r#"<text x="4" y="{}"{}>{}</text>"#,
            y + 15,
            if c.critical {
                r#" font-weight="bold""#
            } else {
                ""
            },
            escape(&c.id)
        );
        let segments = [
            (port, shadow, "#4e79a7", "porting"),
            (shadow, canary, "#f28e2b", "shadow"),
            (canary, cutover, "#edc948", "canary"),
            (cutover, cutover + 1, "#59a14f", "cutover"),
        ];
        for (from, to, colour, what) in segments {
            if to > from {
                let _ = write!(
                    svg,
                    r##"<rect x="{:.1}" y="{}" width="{:.1}" height="14" fill="{colour}"{}><title>{} {what}: {} days</title></rect>"##,
                    x(from),
                    y + 4,
                    (f64::from(to - from) * scale).max(1.0),
                    if c.critical {
                        r##" stroke="#c00" stroke-width="1""##
                    } else {
                        ""
                    },
                    escape(&c.id),
                    to - from
                );
            }
        }
    }
    legend(&mut svg, height);
    svg.push_str("</svg>");
    svg
}

fn phase_bands(
    svg: &mut String,
    plan: &PlanContext,
    rows: &[&super::context::ComponentContext],
    x: &dyn Fn(u32) -> f64,
) {
    for phase in &plan.phases {
        let members: Vec<usize> = rows
            .iter()
            .enumerate()
            .filter(|(_, c)| c.phase == phase.number)
            .map(|(i, _)| i)
            .collect();
        let (Some(first), Some(last)) = (members.first(), members.last()) else {
            continue;
        };
        let gate = rows[*first..=*last]
            .iter()
            .map(|c| c.days[3] + 1)
            .max()
            .unwrap_or(0);
        let y = TOP + ROW * *first as u32;
        let h = ROW * (*last - *first + 1) as u32;
        let fill = if phase.number % 2 == 0 {
            "#f4f4f4"
        } else {
            "#fafafa"
        };
        let _ = write!(
            svg,
            r##"<rect x="0" y="{y}" width="{:.1}" height="{h}" fill="{fill}"/><text x="{:.1}" y="{}" fill="#555">Phase {} · {}</text>"##,
            x(gate + 1),
            x(gate) + 14.0,
            y + h / 2 + 4,
            phase.number,
            escape(&phase.name)
        );
        let gx = x(gate) + 5.0;
        let gy = y + h / 2;
        let _ = write!(
            svg,
            r##"<polygon points="{:.1},{} {:.1},{} {:.1},{} {:.1},{}" fill="#e15759"><title>Gate of phase {} on {}</title></polygon>"##,
            gx,
            gy - 6,
            gx + 6.0,
            gy,
            gx,
            gy + 6,
            gx - 6.0,
            gy,
            phase.number,
            escape(&phase.gate)
        );
    }
    for phase in &plan.phases {
        let _ = write!(
            svg,
            r##"<line x1="{0:.1}" y1="24" x2="{0:.1}" y2="{1}" stroke="#bbb" stroke-dasharray="3,3"/><text x="{2:.1}" y="34" fill="#555" font-size="10">{3}</text>"##,
            x(phase.start_day),
            TOP + ROW * rows.len() as u32,
            x(phase.start_day) + 2.0,
            escape(&phase.start)
        );
    }
    let _ = write!(
        svg,
        r##"<text x="{:.1}" y="14" fill="#333">{} → {}</text>"##,
        x(0),
        escape(&plan.start),
        escape(&plan.end)
    );
}

fn legend(svg: &mut String, height: u32) {
    let items = [
        ("#4e79a7", "porting"),
        ("#f28e2b", "shadow soak"),
        ("#edc948", "canary soak"),
        ("#59a14f", "cutover"),
        ("#e15759", "phase gate"),
    ];
    for (i, (colour, label)) in items.iter().enumerate() {
        let x = 4 + 110 * i as u32;
        let _ = write!(
            svg,
            r#"<rect x="{x}" y="{}" width="10" height="10" fill="{colour}"/><text x="{}" y="{}">{label}</text>"#,
            height - 18,
            x + 14,
            height - 9
        );
    }
}
