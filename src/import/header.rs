//! The sheet's header (`[sheet]`) fields as a vendor's file labels them
//! (作成日, サービス事業者 ...), and the title line repeated on every page.

use crate::sheet::SheetDoc;
use crate::text::{match_key, normalize};

/// Which `[sheet]` field a header label names, if any: 作成日, サービス事業者
/// / 製造業者, サービス名称 / 製品名称, バージョン (and 様式 / form for the form id).
pub(crate) fn header_label(label: &str) -> Option<HeaderField> {
    let l = normalize(label);
    let l = l.trim_end_matches([':', '：']).trim();
    Some(match l {
        "作成日" | "作成年月日" | "記入日" => HeaderField::Created,
        "サービス事業者" | "サービス事業者名" | "製造業者" | "製造業者名" | "事業者名" | "会社名" => {
            HeaderField::Vendor
        }
        "サービス名称" | "サービス名" | "製品名称" | "製品名" => HeaderField::Service,
        "バージョン" | "版" | "Version" | "version" => HeaderField::Version,
        "様式" | "form" | "フォーム" => HeaderField::Form,
        _ => return None,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HeaderField {
    Created,
    Vendor,
    Service,
    Version,
    Form,
}

/// Fill a `[sheet]` field from a header value (the first occurrence wins:
/// page headers repeat it). Returns a warning for a date that cannot be read.
pub(crate) fn set_header_field(doc: &mut SheetDoc, field: HeaderField, value: &str) -> Option<String> {
    // Vendor, service and version are the vendor's text, kept as written
    // (only trimmed); the form id and the date are read, so normalised.
    let v = match field {
        HeaderField::Form | HeaderField::Created => normalize(value),
        _ => value.trim().to_string(),
    };
    if v.is_empty() {
        return None;
    }
    let slot = match field {
        HeaderField::Vendor => &mut doc.meta.vendor,
        HeaderField::Service => &mut doc.meta.service,
        HeaderField::Version => &mut doc.meta.version,
        HeaderField::Form => {
            doc.meta.form = v;
            return None;
        }
        HeaderField::Created => {
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
