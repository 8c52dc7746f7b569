/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why an operational measure could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A pyramid the measure needs could not be built (its cuts); a core
    /// cause arrives as [`Error::Core`].
    #[error(transparent)]
    Pyramid(crm_pyramid::Error),
    /// A sum overflowed, or a period or key was not usable.
    #[error(transparent)]
    Core(#[from] crm_core::Error),
}

impl From<crm_pyramid::Error> for Error {
    /// Unwraps a core cause, so that it is matched at one level.
    fn from(e: crm_pyramid::Error) -> Error {
        e.into_core().map_or_else(Error::Pyramid, Error::Core)
    }
}
