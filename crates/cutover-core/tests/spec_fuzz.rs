//! Fuzz-style robustness at the library level: thousands of truncated and
//! mutated specs through parse → validate → plan. None may panic, every
//! rejection carries at least one located diagnostic, and every acceptance
//! must plan.

use cutover_core::plan::build_plan;
use cutover_core::spec::parse_spec;

const EXAMPLE: &str = include_str!("../../../examples/platform/migration.yaml");

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }
}

fn mutate(text: &str, random: &mut XorShift) -> String {
    const TOKENS: [&str; 16] = [
        ":", "- ", "[", "]", "{", "&x ", "*x", "\t", "\"", "'", "!!map ", "~", "|", "\n", "  ",
        "<<: *x",
    ];
    let at = text.floor_char_boundary(random.next() % text.len());
    match random.next() % 4 {
        0 => text[..at].to_owned(),
        1 => {
            let end = text.floor_char_boundary((at + 1 + random.next() % 40).min(text.len()));
            format!("{}{}", &text[..at], &text[end..])
        }
        2 => format!(
            "{}{}{}",
            &text[..at],
            TOKENS[random.next() % TOKENS.len()],
            &text[at..]
        ),
        _ => {
            let from = text.floor_char_boundary(random.next() % text.len());
            let to = text.floor_char_boundary((from + 30).min(text.len()));
            format!("{}{}{}", &text[..at], &text[from..to], &text[at..])
        }
    }
}

#[test]
fn mutated_specs_never_panic() {
    let mut random = XorShift(0x9E37_79B9_7F4A_7C15);
    let (mut accepted, mut rejected) = (0, 0);
    for _ in 0..3_000 {
        let mut spec = mutate(EXAMPLE, &mut random);
        if random.next().is_multiple_of(3) {
            spec = mutate(&spec, &mut random);
        }
        match parse_spec("migration.yaml", &spec) {
            Ok(migration) => {
                accepted += 1;
                // Pins may legitimately fail to plan; panics may not.
                let _ = build_plan(&migration);
            }
            Err(errors) => {
                rejected += 1;
                assert!(
                    !errors.diagnostics.is_empty(),
                    "rejected without a diagnostic:\n{spec}"
                );
                for d in &errors.diagnostics {
                    assert!(d.position.line >= 1 && d.position.offset <= spec.len());
                }
            }
        }
    }
    assert!(
        rejected > 1_000 && accepted > 100,
        "accepted {accepted}, rejected {rejected}"
    );
}
