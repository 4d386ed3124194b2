//! The WDK/SDK header directories, and a case overlay for case-sensitive file systems.
//!
//! Windows headers include each other with names spelled in another case than the files have
//! (`#include "DriverSpecs.h"` for `driverspecs.h`), which NTFS resolves and ext4 does not. The
//! overlay is a directory in the scratch area holding, for every such include, a symbolic link
//! with the spelled name pointing at the real file; it goes on the include path after the WDK's
//! own directories, so the headers themselves are never modified.

use std::{
    collections::{BTreeSet, HashMap},
    fs, io,
    path::{Path, PathBuf},
};

/// The three directories wdk-build puts on the include path for a kernel-mode driver, in order.
pub const WDK_INCLUDE_SUBDIRS: [&str; 3] = ["km/crt", "km", "shared"];

/// The include directories of a WDK `Include\<version>` directory, checked to exist.
///
/// # Errors
/// A directory of [`WDK_INCLUDE_SUBDIRS`] is missing.
pub fn include_dirs(root: &Path) -> io::Result<Vec<PathBuf>> {
    WDK_INCLUDE_SUBDIRS
        .iter()
        .map(|sub| {
            let dir = root.join(sub);
            if dir.is_dir() {
                Ok(dir)
            } else {
                Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!(
                        "{} is not a directory (expected km, km/crt and shared)",
                        dir.display()
                    ),
                ))
            }
        })
        .collect()
}

/// Every file under `dir`, as (path relative to `dir` with `/` separators, full path).
fn files_under(dir: &Path) -> io::Result<Vec<(String, PathBuf)>> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in fs::read_dir(&current)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(relative) = path.strip_prefix(dir) {
                found.push((relative.to_string_lossy().replace('\\', "/"), path));
            }
        }
    }
    Ok(found)
}

/// The file name of an `#include "x"` or `#include <x>` line, with `/` separators.
fn included_name(line: &str) -> Option<String> {
    let rest = line.trim_start().strip_prefix('#')?.trim_start();
    let rest = rest.strip_prefix("include")?.trim_start();
    let close = match rest.chars().next()? {
        '"' => '"',
        '<' => '>',
        _ => return None,
    };
    let name = &rest[1..];
    let end = name.find(close)?;
    Some(name[..end].replace('\\', "/"))
}

/// Builds the case overlay in `overlay` for the headers in `include_dirs` and returns how many
/// links it holds.
///
/// # Errors
/// A directory cannot be read, or a link cannot be made.
pub fn build_case_overlay(include_dirs: &[PathBuf], overlay: &Path) -> io::Result<usize> {
    let mut by_lower_name: HashMap<String, PathBuf> = HashMap::new();
    let mut included = BTreeSet::new();
    for dir in include_dirs {
        for (relative, path) in files_under(dir)? {
            let bytes = fs::read(&path)?;
            for line in String::from_utf8_lossy(&bytes).lines() {
                if let Some(name) = included_name(line) {
                    included.insert(name);
                }
            }
            by_lower_name.entry(relative.to_lowercase()).or_insert(path);
        }
    }
    if overlay.exists() {
        fs::remove_dir_all(overlay)?;
    }
    fs::create_dir_all(overlay)?;
    let mut links = 0;
    for name in included {
        if include_dirs.iter().any(|dir| dir.join(&name).exists()) {
            continue;
        }
        let Some(target) = by_lower_name.get(&name.to_lowercase()) else {
            // Not in this kit (a header of another component, or behind an #if never taken).
            continue;
        };
        let link = overlay.join(&name);
        if let Some(parent) = link.parent() {
            fs::create_dir_all(parent)?;
        }
        link_file(target, &link)?;
        links += 1;
    }
    Ok(links)
}

/// Makes `link` name `target`: a symbolic link where the platform has them without privileges; a
/// copy elsewhere (Windows, whose file system resolves the names without the overlay anyway).
fn link_file(target: &Path, link: &Path) -> io::Result<()> {
    #[cfg(unix)]
    return std::os::unix::fs::symlink(target, link);
    #[cfg(not(unix))]
    return fs::copy(target, link).map(|_| ());
}

#[cfg(test)]
mod tests {
    use super::included_name;

    #[test]
    fn include_lines_are_recognised_with_either_delimiter_and_separator() {
        assert_eq!(
            included_name("#include \"DriverSpecs.h\""),
            Some("DriverSpecs.h".into())
        );
        assert_eq!(
            included_name("  #  include <ndis\\nbl.h> // x"),
            Some("ndis/nbl.h".into())
        );
        assert_eq!(included_name("#define include <x.h>"), None);
        assert_eq!(included_name("#include MACRO_NAME"), None);
    }
}
