//! What stops an import.

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ImportError {
    #[error("cannot read {path}: {source}")]
    #[diagnostic(code(kaiji::import::io))]
    Io { path: String, source: std::io::Error },
    #[error(transparent)]
    #[diagnostic(transparent)]
    Read(#[from] crate::walk::ReadError),
    #[error("{path}: {message}")]
    #[diagnostic(code(kaiji::import::unrecognised))]
    Unrecognised {
        path: String,
        message: String,
        #[help]
        help: Option<String>,
    },
    #[error(
        "{path}: only {recognised} of the {questions} questions of form {form} were recognised: the file is \
         damaged, or it is not this form"
    )]
    #[diagnostic(
        code(kaiji::import::partial),
        help(
            "open the file and check it shows the whole sheet; for another form or version pass its catalog \
             with --form-file; to keep what was read anyway, import with --partial"
        )
    )]
    TooFew { path: String, recognised: usize, questions: usize, form: String },
}
