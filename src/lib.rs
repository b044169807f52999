//! sockpit: talk over TCP/UDP sockets and watch what the sockets do while you
//! talk. `net` owns every socket and knows nothing of terminals; `headless`
//! wires it to stdin/stdout like nc; the TUI draws it live.

pub mod app;
pub mod cli;
pub mod course;
pub mod file_error;
pub mod headless;
pub mod hexdump;
pub mod json;
pub mod lesson;
pub mod net;
pub mod netns;
pub mod payload;
pub mod pcap;
pub mod python;
pub mod replay;
pub mod run;
pub mod sanitize;
pub mod transcript;
pub mod tui;
pub mod ui;
pub mod wire;
