//! `[Strings]` and `%token%` substitution.
//!
//! `%name%` is replaced by the `[Strings]` entry `name` (case-insensitive); `%%` is a literal
//! `%`; an all-digit token such as `%13%` is a directory id and is left for Setup to resolve.

use std::collections::HashMap;

use crate::parse::Inf;

/// The `[Strings]` table of one INF.
#[derive(Debug, Clone, Default)]
pub struct Strings {
    table: HashMap<String, String>,
}

/// A `%token%` that `[Strings]` does not define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Undefined(pub String);

impl Strings {
    /// Collects the `[Strings]` section of `inf` (the last definition of a key wins).
    #[must_use]
    pub fn from_inf(inf: &Inf) -> Self {
        let mut table = HashMap::new();
        for section in inf
            .sections
            .iter()
            .filter(|s| s.name.eq_ignore_ascii_case("Strings"))
        {
            for entry in &section.entries {
                if let Some(key) = &entry.key {
                    table.insert(key.to_ascii_lowercase(), entry.value(0).to_owned());
                }
            }
        }
        Self { table }
    }

    /// Substitutes every token of `text`; an undefined token is kept as written.
    #[must_use]
    pub fn expand(&self, text: &str) -> String {
        self.walk(text).0
    }

    /// The tokens of `text` that `[Strings]` does not define.
    #[must_use]
    pub fn undefined(&self, text: &str) -> Vec<Undefined> {
        self.walk(text).1
    }

    fn walk(&self, text: &str) -> (String, Vec<Undefined>) {
        let mut out = String::with_capacity(text.len());
        let mut missing = Vec::new();
        let mut rest = text;
        while let Some(start) = rest.find('%') {
            out.push_str(&rest[..start]);
            let after = &rest[start + 1..];
            let Some(end) = after.find('%') else {
                out.push_str(&rest[start..]);
                return (out, missing);
            };
            let name = &after[..end];
            if name.is_empty() {
                out.push('%');
            } else if name.bytes().all(|b| b.is_ascii_digit()) {
                out.push('%');
                out.push_str(name);
                out.push('%');
            } else if let Some(value) = self.table.get(&name.to_ascii_lowercase()) {
                out.push_str(value);
            } else {
                missing.push(Undefined(name.to_owned()));
                out.push('%');
                out.push_str(name);
                out.push('%');
            }
            rest = &after[end + 1..];
        }
        out.push_str(rest);
        (out, missing)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse;

    #[test]
    fn tokens_escapes_and_dirids() {
        let (inf, _) = parse("[Strings]\nName = \"rse1k\"\n");
        let strings = Strings::from_inf(&inf);
        assert_eq!(
            strings.expand("%NAME% 100%% %13%\\x.sys"),
            "rse1k 100% %13%\\x.sys"
        );
        assert_eq!(
            strings.undefined("%Nope% %name%"),
            [Undefined("Nope".to_owned())]
        );
    }
}
