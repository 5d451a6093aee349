//! The library's own lists of names as clap values: `-f`, `--fail-on`,
//! `--from`. The library knows no clap; each type names its values here
//! (from its own `ALL` and `name`), and [`parser`] parses and lists them
//! exactly as clap's `ValueEnum` would, help texts and errors included.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};

/// A library enum offered on the command line.
pub trait Named: Copy + Send + Sync + 'static {
    /// Every value, in the order `--help` lists them.
    fn all() -> &'static [Self];
    /// The value's name on the command line.
    fn name(self) -> &'static str;
    /// One line for `--help`, if the values are described.
    fn help(self) -> Option<&'static str> {
        None
    }

    fn possible_value(self) -> PossibleValue {
        let value = PossibleValue::new(self.name());
        match self.help() {
            Some(help) => value.help(help),
            None => value,
        }
    }
}

/// The value parser of a [`Named`] argument (`value_parser = parser::<T>()`).
pub fn parser<T: Named>() -> NamedParser<T> {
    NamedParser(PhantomData)
}

/// Parses a [`Named`] value as clap's `EnumValueParser` parses a
/// `ValueEnum` (same matching, same error).
#[derive(Clone)]
pub struct NamedParser<T>(PhantomData<T>);

impl<T: Named> TypedValueParser for NamedParser<T> {
    type Value = T;

    fn parse_ref(&self, cmd: &clap::Command, arg: Option<&clap::Arg>, value: &OsStr) -> Result<T, clap::Error> {
        // clap's own parser of names makes the error (its constructor is
        // private); a value that is not UTF-8 is named lossily and matches
        // nothing, as `EnumValueParser` does.
        let text = value.to_string_lossy();
        let names = PossibleValuesParser::new(T::all().iter().map(|v| v.possible_value()));
        let name = names.parse_ref(cmd, arg, OsStr::new(text.as_ref()))?;
        let ignore_case = arg.is_some_and(|a| a.is_ignore_case_set());
        Ok(T::all()
            .iter()
            .copied()
            .find(|v| v.possible_value().matches(&name, ignore_case))
            .expect("PossibleValuesParser accepts only these names"))
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(T::all().iter().map(|v| v.possible_value())))
    }
}

impl Named for kaiji::report::Format {
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn name(self) -> &'static str {
        self.name()
    }
    fn help(self) -> Option<&'static str> {
        Some(self.description())
    }
}

impl Named for kaiji::outcome::FailOn {
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn name(self) -> &'static str {
        self.name()
    }
}

impl Named for kaiji::policytest::run::TestFormat {
    fn all() -> &'static [Self] {
        Self::ALL
    }
    fn name(self) -> &'static str {
        self.name()
    }
}

/// `kaiji import --from`: the command line's names for the importers
/// (`xlsx`, where a sheet's `[source]` says `workbook`).
impl Named for kaiji::import::Source {
    fn all() -> &'static [Self] {
        use kaiji::import::Source;
        &[Source::Text, Source::Xlsx, Source::Pdf]
    }
    fn name(self) -> &'static str {
        use kaiji::import::Source;
        match self {
            Source::Text => "text",
            Source::Xlsx => "xlsx",
            Source::Pdf => "pdf",
        }
    }
    fn help(self) -> Option<&'static str> {
        use kaiji::import::Source;
        Some(match self {
            Source::Text => "Text extracted from a PDF sheet (tab-separated cells, one question a line)",
            Source::Xlsx => "An Excel (.xlsx/.xlsm/.xls/.xlsb) or OpenDocument (.ods) workbook",
            Source::Pdf => "The sheet's PDF itself (answer marks read from the drawing)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value's name parses back to it, and nothing else parses.
    fn round_trip<T: Named + PartialEq + std::fmt::Debug>() {
        let cmd = clap::Command::new("kaiji");
        for &v in T::all() {
            assert_eq!(parser::<T>().parse_ref(&cmd, None, OsStr::new(v.name())).unwrap(), v);
        }
        assert!(parser::<T>().parse_ref(&cmd, None, OsStr::new("nope")).is_err());
        assert_eq!(parser::<T>().possible_values().unwrap().count(), T::all().len());
    }

    #[test]
    fn names_parse_back() {
        round_trip::<kaiji::report::Format>();
        round_trip::<kaiji::outcome::FailOn>();
        round_trip::<kaiji::policytest::run::TestFormat>();
        round_trip::<kaiji::import::Source>();
    }
}
