//! The engine wired to stdin/stdout like nc (in progress).
