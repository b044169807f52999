//! The auto driver: what a session does by itself in normal use. Once the
//! setup script has brought a socket to life, a task of its own accepts,
//! reads and writes — fast on the data path, each call still reported —
//! and hands calls typed by hand to the executor (`socket::by_hand`).

pub(crate) mod bulk;
pub(crate) mod conn;
mod control;
pub(crate) mod dgram;
mod lean;
pub(crate) mod listener;
pub(crate) mod secure;
pub(crate) mod stream;
pub(crate) mod udp;
