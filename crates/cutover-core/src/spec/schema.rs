//! The JSON Schema of `migration.yaml`, generated from the wire types so it
//! cannot drift from what the parser accepts. Editors use it for completion.

use super::wire::MigrationSpec;

/// The schema as pretty-printed JSON.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(MigrationSpec);
    // Serializing a schema built from our own types cannot fail.
    serde_json::to_string_pretty(&schema).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_committed_schema_matches_the_code() {
        let committed = include_str!("../../../../schema/migration.schema.json");
        let generated = super::json_schema();
        assert!(
            committed.trim_end() == generated.trim_end(),
            "schema/migration.schema.json is stale: run `cargo run -- schema > schema/migration.schema.json`"
        );
    }
}
