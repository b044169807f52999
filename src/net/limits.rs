//! Process limits a socket tool outgrows: the default soft limit of 1024 open
//! files is too few to hold a thousand connections.

/// Raises the soft open-files limit to the hard limit; returns the new soft
/// limit, or `None` where the platform has no such limit or refuses.
pub fn raise_open_files() -> Option<u64> {
    rlimit::increase_nofile_limit(u64::MAX).ok()
}
