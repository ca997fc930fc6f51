//! Reading the files an import touches: the ones named on the command line
//! and the local files they refer to (`include: local`, `uses: ./…`), each
//! shown relative to the directory the spec lives in, parsed once, and never
//! outside the repository they belong to.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::error::ImportError;
use super::job::Unresolved;
use super::yaml::{self, Node};

/// A file taking part in an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    /// Where it is on disk.
    pub path: PathBuf,
    /// How the spec names it: relative to the spec's directory when inside it.
    pub shown: String,
    /// The repository it belongs to (local references resolve from here).
    pub root: PathBuf,
}

/// Every file of one import, with parse results cached.
#[derive(Debug)]
pub struct Sources {
    base: PathBuf,
    parsed: BTreeMap<PathBuf, Node>,
    /// References that were not followed.
    pub unresolved: Vec<Unresolved>,
    /// How files were read, where there was a choice (`just --dump` or the parser).
    pub notes: Vec<String>,
}

impl Sources {
    /// Sources shown relative to `base` (the spec's directory).
    pub fn new(base: &Path) -> Sources {
        Sources {
            base: absolute(base),
            parsed: BTreeMap::new(),
            unresolved: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// A file named on the command line.
    pub fn file(&self, path: &Path) -> SourceFile {
        let path = absolute(path);
        let root = repository_root(&path);
        SourceFile {
            shown: self.show(&path),
            path,
            root,
        }
    }

    fn show(&self, path: &Path) -> String {
        let shown = path.strip_prefix(&self.base).unwrap_or(path);
        shown.to_string_lossy().replace('\\', "/")
    }

    /// Reads a file as text.
    pub fn read(&self, file: &SourceFile) -> Result<String, ImportError> {
        std::fs::read_to_string(&file.path).map_err(|source| ImportError::Read {
            path: file.path.clone(),
            source,
        })
    }

    /// Parses a YAML file (once).
    pub fn parse(&mut self, file: &SourceFile) -> Result<Node, ImportError> {
        if let Some(node) = self.parsed.get(&file.path) {
            return Ok(node.clone());
        }
        let text = self.read(file)?;
        let node = yaml::parse(&text).map_err(|error| ImportError::Yaml {
            file: file.shown.clone(),
            message: error.message,
        })?;
        self.parsed.insert(file.path.clone(), node.clone());
        Ok(node)
    }

    /// A file referred to from `from` by a repository-relative path
    /// (`./x`, `/x` or `x`); `None` when it does not exist or would leave
    /// the repository.
    pub fn local_file(
        &self,
        from: &SourceFile,
        reference: &str,
    ) -> Result<Option<SourceFile>, ImportError> {
        let relative = reference.trim_start_matches("./").trim_start_matches('/');
        let relative = relative.split('@').next().unwrap_or(relative);
        if Path::new(relative)
            .components()
            .any(|c| matches!(c, Component::ParentDir))
        {
            return Ok(None);
        }
        let path = from.root.join(relative);
        if !path.is_file() {
            return Ok(None);
        }
        Ok(Some(SourceFile {
            shown: self.show(&path),
            path,
            root: from.root.clone(),
        }))
    }

    /// A local action (`uses: ./path`): its `action.yml` or `action.yaml`, parsed.
    pub fn local_action(
        &mut self,
        from: &SourceFile,
        reference: &str,
    ) -> Result<Option<(SourceFile, Node)>, ImportError> {
        for name in ["action.yml", "action.yaml"] {
            let candidate = format!("{}/{name}", reference.trim_end_matches('/'));
            if let Some(file) = self.local_file(from, &candidate)? {
                let node = self.parse(&file)?;
                return Ok(Some((file, node)));
            }
        }
        Ok(None)
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

/// The repository a file belongs to: the parent of its `.github` directory,
/// else the nearest directory holding `.git`, else the file's directory.
fn repository_root(path: &Path) -> PathBuf {
    let directory = path.parent().unwrap_or(Path::new("."));
    if let Some(github) = directory
        .ancestors()
        .find(|d| d.file_name().is_some_and(|n| n == ".github"))
    {
        return github.parent().unwrap_or(directory).to_owned();
    }
    directory
        .ancestors()
        .find(|d| d.join(".git").exists())
        .unwrap_or(directory)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_inside_the_repository_only() {
        let dir = tempfile::tempdir().expect("test input");
        let workflows = dir.path().join(".github/workflows");
        std::fs::create_dir_all(&workflows).expect("test input");
        std::fs::write(workflows.join("a.yml"), "jobs: {}\n").expect("test input");
        std::fs::write(workflows.join("b.yml"), "jobs: {}\n").expect("test input");
        let sources = Sources::new(dir.path());
        let a = sources.file(&workflows.join("a.yml"));
        assert_eq!(a.shown, ".github/workflows/a.yml");
        let b = sources
            .local_file(&a, "./.github/workflows/b.yml")
            .expect("test input")
            .expect("test input");
        assert_eq!(b.shown, ".github/workflows/b.yml");
        assert!(
            sources
                .local_file(&a, "../../etc/passwd")
                .expect("test input")
                .is_none()
        );
        assert!(
            sources
                .local_file(&a, "./missing.yml")
                .expect("test input")
                .is_none()
        );
    }
}
