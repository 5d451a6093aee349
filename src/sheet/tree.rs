//! A small spanned value tree that both sheet syntaxes (TOML, JSON) parse
//! into, so one builder turns either into a [`Sheet`](super::Sheet) with the
//! same checks and messages.

use std::borrow::Cow;

use super::Span;

/// Strings borrow from the file's text where the syntax allows (no
/// escapes), so a sheet is read with one allocation per value it keeps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Node<'a> {
    pub span: Span,
    pub value: Value<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Str(Cow<'a, str>),
    Int(i64),
    /// A TOML local date such as `created = 2026-01-13`, kept as text.
    Date(String),
    Array(Vec<Node<'a>>),
    Table(Vec<(Key<'a>, Node<'a>)>),
    /// A value of a type no sheet field takes (float, bool, null ...).
    Other(&'static str),
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Key<'a> {
    pub span: Span,
    pub name: Cow<'a, str>,
}

impl Value<'_> {
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Date(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
            Value::Other(t) => t,
        }
    }
}

/// The plain layout sheet files use goes through a fast path (several
/// times faster than `toml`, which is a large share of a run); anything
/// else, and every error, through the `toml` crate.
pub(crate) fn from_toml(text: &str) -> Result<Node<'_>, (String, Option<Span>)> {
    match super::fast_toml::parse(text) {
        Some(root) => Ok(root),
        None => from_toml_crate(text),
    }
}

/// The tree as the `toml` crate reads it; the authority the fast path is
/// tested against.
pub(crate) fn from_toml_crate(text: &str) -> Result<Node<'_>, (String, Option<Span>)> {
    use toml::de::{DeTable, DeValue};
    fn conv(v: toml::Spanned<DeValue<'_>>) -> Node<'_> {
        let r = v.span();
        let span = Span::new(r.start, r.end);
        let value = match v.into_inner() {
            DeValue::String(s) => Value::Str(s),
            DeValue::Integer(i) => match i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => Value::Other("an out-of-range integer"),
            },
            DeValue::Float(_) => Value::Other("a float"),
            DeValue::Boolean(_) => Value::Other("a boolean"),
            DeValue::Datetime(d) => Value::Date(d.to_string()),
            DeValue::Array(a) => Value::Array(a.into_iter().map(conv).collect()),
            DeValue::Table(t) => Value::Table(table(t)),
        };
        Node { span, value }
    }
    fn table(t: DeTable<'_>) -> Vec<(Key<'_>, Node<'_>)> {
        let mut entries: Vec<(Key, Node)> = t
            .into_iter()
            .map(|(k, v)| {
                let r = k.span();
                (Key { span: Span::new(r.start, r.end), name: k.into_inner() }, conv(v))
            })
            .collect();
        // toml's map is sorted by key; file order reads better in diagnostics.
        entries.sort_by_key(|(k, _)| k.span.start);
        entries
    }
    let doc = DeTable::parse(text)
        .map_err(|e| (e.message().trim().to_string(), e.span().map(|r| Span::new(r.start, r.end))))?;
    let r = doc.span();
    Ok(Node { span: Span::new(r.start, r.end), value: Value::Table(table(doc.into_inner())) })
}

/// A file that does not parse: the message, where, and for a duplicate key
/// where the key was first written.
#[derive(Debug)]
pub(crate) struct ParseError {
    pub message: String,
    pub span: Option<Span>,
    pub first: Option<Span>,
}

impl From<(String, Option<Span>)> for ParseError {
    fn from((message, span): (String, Option<Span>)) -> Self {
        ParseError { message, span, first: None }
    }
}

/// JSON allows a key twice and readers differ on which value wins (most
/// take the last), so a sheet with one would mean different things to
/// different tools: it is refused, as TOML refuses it.
pub(crate) fn from_json(text: &str) -> Result<Node<'_>, ParseError> {
    use jsonc_parser::ast;
    fn span(r: jsonc_parser::common::Range) -> Span {
        Span::new(r.start, r.end)
    }
    fn conv(v: ast::Value<'_>) -> Result<Node<'_>, ParseError> {
        Ok(match v {
            ast::Value::StringLit(s) => Node { span: span(s.range), value: Value::Str(s.value) },
            ast::Value::NumberLit(n) => Node {
                span: span(n.range),
                value: n.value.parse::<i64>().map_or(Value::Other("a non-integer number"), Value::Int),
            },
            ast::Value::BooleanLit(b) => Node { span: span(b.range), value: Value::Other("a boolean") },
            ast::Value::NullKeyword(n) => Node { span: span(n.range), value: Value::Other("null") },
            ast::Value::Array(a) => Node {
                span: span(a.range),
                value: Value::Array(a.elements.into_iter().map(conv).collect::<Result<_, _>>()?),
            },
            ast::Value::Object(o) => {
                let range = o.range;
                let entries = o
                    .properties
                    .into_iter()
                    .map(|p| {
                        let (name, r) = match p.name {
                            ast::ObjectPropName::String(s) => (s.value, s.range),
                            ast::ObjectPropName::Word(w) => (Cow::Borrowed(w.value), w.range),
                        };
                        Ok((Key { span: span(r), name }, conv(p.value)?))
                    })
                    .collect::<Result<Vec<_>, ParseError>>()?;
                check_duplicates(&entries)?;
                Node { span: span(range), value: Value::Table(entries) }
            }
        })
    }
    let options = jsonc_parser::ParseOptions {
        allow_comments: false,
        allow_loose_object_property_names: false,
        allow_trailing_commas: false,
        allow_missing_commas: false,
        allow_single_quoted_strings: false,
        allow_hexadecimal_numbers: false,
        allow_unary_plus_numbers: false,
        ..Default::default()
    };
    let parsed = jsonc_parser::parse_to_ast(text, &Default::default(), &options).map_err(|e| ParseError {
        message: e.kind().to_string(),
        span: Some(span(e.range())),
        first: None,
    })?;
    match parsed.value {
        Some(v) => conv(v),
        None => Err(("the file holds no JSON value".to_string(), None).into()),
    }
}

/// The second of two equal keys in one object, if any: in linear time
/// (an `[answers]` object has a key per question).
fn check_duplicates(entries: &[(Key<'_>, Node<'_>)]) -> Result<(), ParseError> {
    let dup = |first: &Key, second: &Key| ParseError {
        message: format!("duplicate key \"{}\"", second.name),
        span: Some(second.span),
        first: Some(first.span),
    };
    if entries.len() <= 8 {
        for (i, (k, _)) in entries.iter().enumerate() {
            if let Some((first, _)) = entries[..i].iter().find(|(f, _)| f.name == k.name) {
                return Err(dup(first, k));
            }
        }
        return Ok(());
    }
    let mut seen: std::collections::HashMap<&str, &Key> = std::collections::HashMap::with_capacity(entries.len());
    for (k, _) in entries {
        if let Some(first) = seen.insert(&k.name, k) {
            return Err(dup(first, k));
        }
    }
    Ok(())
}
