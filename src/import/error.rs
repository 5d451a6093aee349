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
}
