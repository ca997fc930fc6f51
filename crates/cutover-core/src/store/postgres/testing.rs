//! Test support: a fresh database per test on the server the test script
//! starts (`CUTOVER_TEST_POSTGRES_URL`), dropped when the test ends. A
//! test that needs PostgreSQL fails, never skips, when the URL is missing.

use postgres::{Client, NoTls};

/// A database created for one test.
pub struct TestDatabase {
    /// Its URL.
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates a new, empty database.
    pub fn create() -> TestDatabase {
        let admin_url = std::env::var("CUTOVER_TEST_POSTGRES_URL").expect(
            "CUTOVER_TEST_POSTGRES_URL is not set: run ./scripts/test.sh, which starts PostgreSQL",
        );
        let name = format!("cutover_test_{}", crate::exec::random_hex(6));
        let mut admin = Client::connect(&admin_url, NoTls).expect("connect to the test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create the test database");
        let base = admin_url
            .rsplit_once('/')
            .map_or(admin_url.as_str(), |(b, _)| b);
        TestDatabase {
            url: format!("{base}/{name}"),
            admin_url,
            name,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&self.admin_url, NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
