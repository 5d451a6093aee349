use crate::lint::{Rule, RuleInfo};
use crate::outcome::{Finding, Severity};
use crate::sheet::Sheet;

pub struct MissingMetadata;

static INFO: RuleInfo = RuleInfo {
    name: "missing-metadata",
    severity: Severity::Warning,
    summary: "vendor, service or created absent from [sheet]",
    why: "The sheet header names who discloses (サービス事業者 / 製造業者 → vendor), for what (サービス名称 / 製品名称 → service) and when (作成日 → created). Without them a hospital screening many sheets cannot tell which vendor a result belongs to, waivers cannot match, and an outdated sheet cannot be recognised.",
    example: "[sheet]\nvendor = \"株式会社テスト\"\ncreated = \"2026-01-13\"",
    fix: "Fill them in under [sheet]: vendor, service and created (作成日, e.g. 2026-01-13).",
};

impl Rule for MissingMetadata {
    fn info(&self) -> &'static RuleInfo {
        &INFO
    }

    fn check(&self, sheet: &Sheet, out: &mut Vec<Finding>) {
        let m = &sheet.meta;
        let fields = [
            ("vendor", "サービス事業者 / 製造業者", m.vendor.is_some()),
            ("service", "サービス名称 / 製品名称", m.service.is_some()),
            ("created", "作成日", m.created.is_some()),
        ];
        for (key, label, present) in fields {
            if !present {
                let mut f = self
                    .finding(format!("[sheet] has no {key} ({label})"))
                    .with_help(format!("add `{key} = \"...\"` under [sheet]"));
                f.span = m.span.or(Some(Default::default()));
                f.label = Some(format!("{key} missing").into());
                out.push(f);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lint::testutil;

    #[test]
    fn fires_per_missing_field() {
        let text = testutil::clean_text().replace("service = \"テストカルテ\"\n", "");
        let f = testutil::run(&MissingMetadata, &testutil::load(&text));
        assert_eq!(f.len(), 1);
        assert!(f[0].message.contains("service"));
        let bare = testutil::clean_text().replace(
            "[sheet]\nvendor = \"株式会社テスト\"\nservice = \"テストカルテ\"\ncreated = \"2026-01-13\"\n",
            "",
        );
        assert_eq!(testutil::run(&MissingMetadata, &testutil::load(&bare)).len(), 3);
    }

    #[test]
    fn silent_on_clean() {
        assert!(testutil::run(&MissingMetadata, &testutil::clean()).is_empty());
    }
}
