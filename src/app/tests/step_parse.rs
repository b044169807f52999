//! Step mode's parser: every `/call` with its arguments, and what a
//! malformed one says (nothing is sent for it).

use super::*;
use crate::app::step::{StepCmd, parse};
use crate::net::{Addr, SockOpt, UnixName};

fn unix(path: &str) -> Addr {
    Addr::Unix(UnixName::Path(path.into()))
}

#[test]
fn every_step_command_parses() {
    let a = addr("127.0.0.1:9000");
    let table = [
        ("socket", StepCmd::Socket),
        ("setsockopt reuseaddr 1", StepCmd::SetSockOpt(SockOpt::ReuseAddr(true))),
        ("setsockopt SO_REUSEADDR 0", StepCmd::SetSockOpt(SockOpt::ReuseAddr(false))),
        ("setsockopt nodelay 1", StepCmd::SetSockOpt(SockOpt::NoDelay(true))),
        ("bind", StepCmd::Bind(None)),
        ("bind 127.0.0.1:9000", StepCmd::Bind(Some(Addr::Inet(a)))),
        ("bind 9000", StepCmd::Bind(Some(Addr::Inet(a)))),
        ("bind ./chat.sock", StepCmd::Bind(Some(unix("./chat.sock")))),
        ("bind /tmp/chat.sock", StepCmd::Bind(Some(unix("/tmp/chat.sock")))),
        ("bind @chat", StepCmd::Bind(Some(Addr::Unix(UnixName::Abstract(b"chat".to_vec()))))),
        ("listen 1", StepCmd::Listen(1)),
        ("listen", StepCmd::Listen(5)),
        ("accept", StepCmd::Accept),
        ("recv 4", StepCmd::Recv(4)),
        ("recv", StepCmd::Recv(1024)),
        ("recvfrom 1024", StepCmd::RecvFrom(1024)),
        ("send hello world", StepCmd::Send("hello world".into())),
        ("sendall  two spaces", StepCmd::SendAll(" two spaces".into())),
        ("sendto 127.0.0.1:9000 hi", StepCmd::SendTo(Some(a), "hi".into())),
        ("sendto hi there", StepCmd::SendTo(None, "hi there".into())),
        ("connect", StepCmd::Connect(None)),
        ("connect [::1]:9000", StepCmd::Connect(Some(Addr::Inet(addr("[::1]:9000"))))),
        ("connect_ex 127.0.0.1:9000", StepCmd::ConnectEx(Some(Addr::Inet(a)))),
        ("connect ../up.sock", StepCmd::Connect(Some(unix("../up.sock")))),
        ("settimeout 2", StepCmd::SetTimeout(Some(2.0))),
        ("settimeout 0.5", StepCmd::SetTimeout(Some(0.5))),
        ("settimeout None", StepCmd::SetTimeout(None)),
        ("setblocking 0", StepCmd::SetBlocking(false)),
        ("setblocking True", StepCmd::SetBlocking(true)),
        ("getsockname", StepCmd::GetSockName),
        ("getpeername", StepCmd::GetPeerName),
        ("fileno", StepCmd::Fileno),
        ("shutdown", StepCmd::Shutdown(Shut::Write)),
        ("shutdown rdwr", StepCmd::Shutdown(Shut::Both)),
        ("close", StepCmd::Close),
    ];
    for (line, want) in table {
        assert_eq!(parse(line), Some(Ok(want)), "{line}");
    }
}

#[test]
fn malformed_step_commands_say_why() {
    let table = [
        ("listen x", "not a whole number"),
        ("listen 1 2", "too many arguments"),
        ("recv -1", "not a whole number"),
        ("settimeout", "give seconds"),
        ("settimeout -1", ">= 0"),
        ("settimeout nan", ">= 0"),
        ("setblocking 2", "not 0 or 1"),
        ("setsockopt reuseaddr", "give an option and a value"),
        ("setsockopt linger 1", "not reuseaddr"),
        ("bind example.org:80", "literal address"),
        ("bind 127.0.0.1", "missing port"),
        ("bind chat.sock", "missing port"),
        ("send", "give the text"),
        ("sendall", "give the text"),
        ("sendto", "give the text"),
        ("sendto 127.0.0.1:9", "after the address"),
        ("settimeout 1e300", "OverflowError"),
        ("settimeout inf", "OverflowError"),
        ("shutdown sideways", "not rd, wr or rdwr"),
        ("fileno 3", "too many arguments"),
    ];
    for (line, why) in table {
        match parse(line) {
            Some(Err(message)) => {
                let message = message.to_string();
                assert!(
                    message.contains(why) && message.contains("nothing was called"),
                    "{line}: {message}"
                );
            }
            other => panic!("{line}: {other:?}"),
        }
    }
    assert_eq!(parse("frob"), None, "not a step command at all");
    assert_eq!(parse("hex 41"), None);
}
