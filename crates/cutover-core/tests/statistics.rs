//! The statistics against scipy/numpy's output for fixed samples
//! (`tests/data/scipy_reference.json`, made by `tests/data/gen_scipy_reference.py`).

use cutover_core::criteria::stats::{mann_whitney, quantile};

fn reference() -> serde_json::Value {
    serde_json::from_str(include_str!("data/scipy_reference.json")).expect("reference JSON")
}

fn numbers(value: &serde_json::Value) -> Vec<f64> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_f64().expect("number"))
        .collect()
}

#[track_caller]
fn close(actual: f64, expected: f64) {
    assert!(
        (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0),
        "{actual} != {expected}"
    );
}

#[test]
fn mann_whitney_matches_scipy() {
    let reference = reference();
    let cases = reference["mann_whitney"].as_array().expect("cases");
    assert!(cases.len() >= 5);
    for case in cases {
        let result = mann_whitney(&numbers(&case["x"]), &numbers(&case["y"])).expect("testable");
        close(result.u, case["u"].as_f64().expect("u"));
        close(result.p_two_sided, case["p_two_sided"].as_f64().expect("p"));
        close(result.p_less, case["p_less"].as_f64().expect("p"));
    }
}

#[test]
fn quantiles_match_numpy() {
    let reference = reference();
    for case in reference["quantiles"].as_array().expect("cases") {
        let data = numbers(&case["data"]);
        for (key, p) in [("p50", 0.5), ("p90", 0.9), ("p95", 0.95), ("p99", 0.99)] {
            close(
                quantile(&data, p).expect("non-empty"),
                case[key].as_f64().expect("value"),
            );
        }
    }
}
