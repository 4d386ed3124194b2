//! File-wide rules: duplicate sections and undefined `%tokens%`.

use crate::context::Context;
use crate::finding::Rule;

/// Reports repeated section headers and tokens missing from `[Strings]`.
pub fn check(ctx: &mut Context) {
    let mut reports = Vec::new();
    for (index, section) in ctx.raw.sections.iter().enumerate() {
        if let Some(first) = ctx.raw.sections[..index]
            .iter()
            .find(|s| s.name.eq_ignore_ascii_case(&section.name))
        {
            reports.push((
                section.line,
                Rule::DuplicateSection,
                format!(
                    "section [{}] already started at line {}",
                    section.name, first.line
                ),
            ));
        }
        if section.name.to_ascii_lowercase().starts_with("strings") {
            continue;
        }
        for entry in &section.entries {
            for text in entry.key.iter().chain(entry.values.iter()) {
                for missing in ctx.strings.undefined(text) {
                    reports.push((
                        entry.line,
                        Rule::UndefinedString,
                        format!("%{}% is not defined in [Strings]", missing.0),
                    ));
                }
            }
        }
    }
    for (line, rule, message) in reports {
        ctx.report(line, rule, message);
    }
}
