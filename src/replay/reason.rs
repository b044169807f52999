//! Why a line of a `--log` is shown but not replayed: typed, so the viewer
//! and tests can tell a kind this reader does not know from a newer schema,
//! a call that would not print back as recorded, or a field that does not
//! fit. The text is what the replay shows beside the line's kind.

/// Why one step of a replay is not fed to the app.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotReplayed {
    /// An `ev` this reader does not rebuild (or has never heard of).
    #[error("no replay for {0:?} lines yet")]
    UnknownKind(String),
    /// A call whose name this reader does not rebuild.
    #[error("no replay for the call {0:?} yet")]
    UnknownCall(String),
    /// The line's schema version is newer than this sockpit's (or missing).
    #[error("schema version {0} is newer than this sockpit's")]
    NewerSchema(String),
    /// A call rebuilt from its fields does not print back as exactly the
    /// recorded Python line and result, so it is not shown as that call.
    #[error("{0} does not replay exactly")]
    Inexact(String),
    /// A field is missing or does not parse (the text says which).
    #[error("{0}")]
    Malformed(String),
}

impl From<String> for NotReplayed {
    fn from(why: String) -> Self {
        Self::Malformed(why)
    }
}

impl From<&str> for NotReplayed {
    fn from(why: &str) -> Self {
        Self::Malformed(why.to_string())
    }
}
