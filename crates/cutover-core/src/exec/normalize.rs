//! [`Normalizer`]: the component's `normalize` rules, applied to stdout and
//! (by the `text` comparator) to file content before comparing.

use regex::Regex;

/// Rewrites stdout before comparing, so timestamps and temp paths do not
/// count as differences.
#[derive(Debug, Clone, Default)]
pub struct Normalizer {
    rules: Vec<(Regex, String)>,
}

impl Normalizer {
    /// Compiles `(pattern, replacement)` rules; patterns were checked by `cutover check`.
    pub fn new(rules: &[(String, String)]) -> Result<Self, regex::Error> {
        let rules = rules
            .iter()
            .map(|(pattern, replace)| Ok((Regex::new(pattern)?, replace.clone())))
            .collect::<Result<_, regex::Error>>()?;
        Ok(Normalizer { rules })
    }

    /// Applies every rule in order, then replaces `paths` by their placeholders.
    pub fn apply(&self, text: &str, paths: &[(String, &str)]) -> String {
        let mut text = text.to_owned();
        for (pattern, replace) in &self.rules {
            text = pattern.replace_all(&text, replace.as_str()).into_owned();
        }
        for (path, placeholder) in paths.iter().filter(|(p, _)| !p.is_empty()) {
            text = text.replace(path.as_str(), placeholder);
        }
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_removes_noise() {
        let normalizer =
            Normalizer::new(&[("built at [0-9:T-]+".into(), "built at <time>".into())])
                .expect("regex");
        let text = normalizer.apply(
            "built at 2027-01-04T10:00:00 in /tmp/run1/out\n",
            &[("/tmp/run1/out".into(), "<out>")],
        );
        assert_eq!(text, "built at <time> in <out>\n");
    }
}
