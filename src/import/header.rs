//! The sheet's header (`[sheet]`) fields as a vendor's file labels them
//! (作成日, サービス事業者 ...), and the title line repeated on every page.

use crate::sheet::SheetDoc;
use crate::text::{match_key, normalize};

/// Which `[sheet]` field a header label names, if any: 作成日, サービス事業者
/// / 製造業者, サービス名称 / 製品名称, バージョン (and 様式 / form for the form id).
pub(crate) fn meta_label(label: &str) -> Option<MetaField> {
    let l = normalize(label);
    let l = l.trim_end_matches([':', '：']).trim();
    Some(match l {
        "作成日" | "作成年月日" | "記入日" => MetaField::Created,
        "サービス事業者" | "サービス事業者名" | "製造業者" | "製造業者名" | "事業者名" | "会社名" => {
            MetaField::Vendor
        }
        "サービス名称" | "サービス名" | "製品名称" | "製品名" => MetaField::Service,
        "バージョン" | "版" | "Version" | "version" => MetaField::Version,
        "様式" | "form" | "フォーム" => MetaField::Form,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MetaField {
    Created,
    Vendor,
    Service,
    Version,
    Form,
}

/// Fill a `[sheet]` field from a header value (the first occurrence wins:
/// page headers repeat it). Returns a warning for a date that cannot be read.
pub(crate) fn set_meta(doc: &mut SheetDoc, field: MetaField, value: &str) -> Option<String> {
    // Vendor, service and version are the vendor's text, kept as written
    // (only trimmed); the form id and the date are read, so normalised.
    let v = match field {
        MetaField::Form | MetaField::Created => normalize(value),
        _ => value.trim().to_string(),
    };
    if v.is_empty() {
        return None;
    }
    let slot = match field {
        MetaField::Vendor => &mut doc.meta.vendor,
        MetaField::Service => &mut doc.meta.service,
        MetaField::Version => &mut doc.meta.version,
        MetaField::Form => {
            doc.meta.form = v;
            return None;
        }
        MetaField::Created => {
            if doc.meta.created.is_some() {
                return None;
            }
            return match crate::text::date::parse_date(&v) {
                Ok(d) => {
                    doc.meta.created = Some(d);
                    None
                }
                Err(e) => Some(format!("作成日 left out: {e}")),
            };
        }
    };
    slot.get_or_insert(v);
    None
}

/// Is this line the sheet's title (repeated at the top of every page)?
pub(crate) fn is_title(cell: &str) -> bool {
    let k = match_key(cell);
    k.contains("医療情報セキュリティ開示書") && k.chars().count() < 80
}
